"""Collections: collectionCreate, collectionUpdate, collectionAddProducts; collection(s); Product.collections and
inCollection. ``CollectionAddProductsChunks`` is collectionAddProducts' batched bulk writer (graphql/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.collections import rules
from bulkops.domain.collections.batch import AddInput, add_products_many
from bulkops.domain.collections.fields import COLLECTION
from bulkops.domain.collections.listing import COLLECTIONS, members_page, product_collections
from bulkops.domain.fields import Child
from bulkops.domain.publications import rules as publication_rules
from bulkops.graphql.bindings.common import (
    Window,
    connection,
    guarded,
    listed,
    page_args,
    require_id,
    user_errors,
)
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.bindings.products import owner_metafield, owner_metafields, present_product, set_owned_metafields
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.planner.mutation_plan import Plan
from bulkops.graphql.planner.writer_base import WrittenInRuns, line_arguments, selections_within
from bulkops.protocol.errors import UserError, UserErrors, UserFacingError

if TYPE_CHECKING:
    pass

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
collection_type = ObjectType("Collection")
product_type = ObjectType("Product")

present_collection = COLLECTION.presenter()


@register("Collection")
def load_collection(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_collection(context.conn, context.shop.id, number)
    return present_collection(row) if row else None


# ---- input translation ---------------------------------------------------------------------------
def _fields(data: dict[str, Any]) -> rules.CollectionFields:
    seo = data.get("seo") or {}
    return rules.CollectionFields(
        title=data.get("title"), handle=data.get("handle"), description_html=data.get("descriptionHtml"),
        sort_order=data.get("sortOrder"), template_suffix=data.get("templateSuffix"), seo_title=seo.get("title"),
        seo_description=seo.get("description"),
    )


def _rule_set(data: dict[str, Any]) -> rules.RuleSet | None:
    raw = data.get("ruleSet")
    if raw is None:
        return None
    return rules.RuleSet(bool(raw.get("appliedDisjunctively")),
                         [rules.Rule(r["column"], r["relation"], r.get("condition") or "") for r in raw.get("rules") or []])


def _product_numbers(raw: list[str]) -> list[int]:
    numbers = []
    for item in raw:
        number = require_id(item, "Product")
        if number is None:
            raise UserError("Product does not exist", ["products"])
        numbers.append(number)
    return numbers


def _payload(context: RequestContext, collection_id: int) -> dict[str, Any]:
    return {"collection": load_collection(context, collection_id), "userErrors": [], "job": None}


def _error_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"collection": None, "job": None, "userErrors": errors}


# ---- mutations -----------------------------------------------------------------------------------
@mutation.field("collectionCreate")
@guarded(_error_payload)
def resolve_collection_create(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    """A custom collection (``products``) or a smart one (``ruleSet``); unpublished, like at Shopify."""
    context = ctx(info)
    if input.get("id"):
        raise UserError("id cannot be specified on collection creation", ["id"])
    product_ids = _product_numbers(input["products"]) if input.get("products") else None
    collection_id = rules.create_collection(context.conn, context.shop.id, _fields(input), product_ids,
                                            _rule_set(input), context.now)
    set_owned_metafields(context, "Collection", collection_id, input.get("metafields"), ["metafields"])
    publication_rules.auto_publish_new(context.conn, context.shop.id, "Collection", collection_id, context.now)
    return _payload(context, collection_id)


@mutation.field("collectionUpdate")
@guarded(_error_payload)
def resolve_collection_update(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    """``redirectNewHandle`` is accepted as a no-op (this server serves no storefront to redirect)."""
    context = ctx(info)
    number = require_id(input["id"], "Collection") if input.get("id") else None
    if number is None or rules.get_collection(context.conn, context.shop.id, number) is None:
        raise UserError("Collection does not exist", ["id"])
    if input.get("products") is not None:
        # UNCONFIRMED wording: Shopify documents `products` as valid with collectionCreate only.
        raise UserError("Products can only be set when creating a collection.", ["products"])
    rules.update_collection(context.conn, context.shop.id, number, _fields(input), _rule_set(input), context.now)
    set_owned_metafields(context, "Collection", number, input.get("metafields"), ["metafields"])
    return _payload(context, number)


def _add_input(collection_gid: str, product_gids: list[str]) -> AddInput:
    """Ids of another type name nothing (None); a malformed one raises the request error."""
    return require_id(collection_gid, "Collection"), [require_id(p, "Product") for p in product_gids]


@mutation.field("collectionAddProducts")
@guarded(lambda errors: {"collection": None, "userErrors": errors})
def resolve_collection_add_products(_: Any, info: GraphQLResolveInfo, id: str, productIds: list[str]
                                    ) -> dict[str, Any]:
    """Appends the products, in the given order, to a custom collection (``batch.add_products_many``)."""
    context = ctx(info)
    [answer] = add_products_many(context.conn, context.shop.id, [_add_input(id, productIds)], context.now)
    if isinstance(answer, UserErrors):
        raise answer
    return {"collection": load_collection(context, answer), "userErrors": []}


# ---- queries -------------------------------------------------------------------------------------
@query.field("collection")
def resolve_collection(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "Collection")
    return load_collection(ctx(info), number) if number else None


@query.field("collections")
def resolve_collections(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                        last: int | None = None, before: str | None = None, reverse: bool = False,
                        sortKey: str = "ID", query: str | None = None, savedSearchId: str | None = None
                        ) -> dict[str, Any]:
    context = ctx(info)
    stmt = COLLECTIONS.rows(context.conn, context.shop.id, {"query": query})
    page_args(first, last)
    return listed(context, COLLECTIONS, stmt, present_collection, Window(first, after, last, before, reverse, sortKey))


@collection_type.field("products")
def resolve_collection_products(collection: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                                after: str | None = None, last: int | None = None, before: str | None = None,
                                reverse: bool = False, sortKey: str = "COLLECTION_DEFAULT") -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = members_page(context.conn, context.shop.id, collection["_row"],
                        Window(first, after, last, before, reverse, sortKey))
    return connection(page, present_product)


@collection_type.field("productsCount")
def resolve_products_count(collection: dict[str, Any], info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    context = ctx(info)
    return {"count": len(rules.member_ids(context.conn, context.shop.id, collection["_row"])), "precision": "EXACT"}


@collection_type.field("hasProduct")
def resolve_has_product(collection: dict[str, Any], info: GraphQLResolveInfo, id: str) -> bool:
    context = ctx(info)
    number = require_id(id, "Product")
    return number in rules.member_ids(context.conn, context.shop.id, collection["_row"])


collection_type.set_field("metafields", owner_metafields("Collection", "_pk"))
collection_type.set_field("metafield", owner_metafield("Collection", "_pk"))


@product_type.field("collections")
def resolve_product_collections(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                                after: str | None = None, last: int | None = None, before: str | None = None,
                                reverse: bool = False, sortKey: str = "ID", query: str | None = None
                                ) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = product_collections(context.conn, context.shop.id, product["_pk"], query)
    return listed(context, COLLECTIONS, stmt, present_collection, Window(first, after, last, before, reverse, sortKey))


@product_type.field("inCollection")
def resolve_in_collection(product: dict[str, Any], info: GraphQLResolveInfo, id: str) -> bool:
    context = ctx(info)
    number = require_id(id, "Collection")
    return number in rules.collection_ids_of_product(context.conn, context.shop.id, product["_pk"])


# ---- the batched bulk writer ----------------------------------------------------------------------
_SAFE_SELECTIONS: dict[tuple[str, ...], set[str]] = {
    (): {"collection", "userErrors", "__typename"},
    ("userErrors",): {"field", "message", "__typename"},
    ("collection",): {name for name, source in COLLECTION.fields.items()
                      if not name.startswith("_") and not isinstance(source, Child)} | {"__typename"},
}
"""Payload selections the writer shapes with certainty after the chunk's writes: the collection's own columns
(an addition changes only ``updatedAt``, the same ``now`` for every line of the chunk), not its products,
counts or metafields, which later lines of the chunk may change."""


class CollectionAddProductsChunks(WrittenInRuns):
    """collectionAddProducts a chunk at a time, through ``batch.add_products_many`` (which the synchronous
    mutation uses with a batch of one): the chunk's collections, products and memberships are read once, the
    inputs checked in line order, the memberships written with one statement. Per line, the ordinary way (at
    its turn, after the lines before it are written): a malformed id (a top-level error) and lines
    graphql-core must coerce."""

    @staticmethod
    def fits(plan: Plan) -> bool:
        if plan.root_field_name != "collectionAddProducts" or plan.constant_args:
            return False
        return {a.name for a in plan.variable_args} == {"id", "productIds"} and selections_within(
            plan, _SAFE_SELECTIONS)

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[AddInput | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_line(plan, raw) for raw in lines]

    def write_run(self, context: RequestContext, run: list[AddInput]) -> list[dict[str, Any]]:
        answers = add_products_many(context.conn, context.shop.id, run, context.now)
        rows = rules.get_collections(context.conn, context.shop.id, [a for a in answers if isinstance(a, int)])
        return [self.plan.shape(_error_payload(user_errors(a)) if isinstance(a, UserErrors) else
                                {"collection": present_collection(rows[a]), "userErrors": []}, context)
                for a in answers]


def _prepare_line(plan: Plan, raw: bytes) -> AddInput | None:
    args = line_arguments(plan, raw)
    if args is None or args.get("id") is None or args.get("productIds") is None:
        return None
    try:
        return _add_input(args["id"], args["productIds"])
    except UserFacingError:
        return None


bindables = [query, mutation, collection_type, product_type]
__all__ = ["CollectionAddProductsChunks", "bindables", "load_collection", "present_collection"]
