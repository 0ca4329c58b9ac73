"""Selling: publishablePublish, publishableUnpublish, publicationUpdate, and the Publishable fields of
Product and Collection (publishedOnPublication, resourcePublications, unpublishedPublications…)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo, OperationType

from bulkops.domain.paging import Page, Window
from bulkops.domain.publications import listing, rules
from bulkops.domain.publications.fields import PUBLICATION
from bulkops.graphql.bindings.collections import load_collection, present_collection
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.bindings.products import load_product, present_product, shop_field
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError, UserErrors
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

mutation = ObjectType("Mutation")
publication_type = ObjectType("Publication")
product_type = ObjectType("Product")
collection_type = ObjectType("Collection")
LOADERS: dict[str, Callable[[RequestContext, int], dict[str, Any] | None]] = {
    "Product": load_product, "Collection": load_collection,
}


def _publications(info: GraphQLResolveInfo) -> list[Any]:
    """The shop's publications, created on first use. A mutation creates them in its own transaction; a
    query (whose transaction only reads) creates them in a short write transaction of its own."""
    context = ctx(info)
    rows = rules.shop_publications(context.conn, context.shop.id)
    if rows:
        return rows
    if info.operation.operation == OperationType.MUTATION:
        return rules.ensure_publications(context.conn, context.shop.id, context.now)
    with context.runtime.db.write() as conn:
        return rules.ensure_publications(conn, context.shop.id, context.now)


present_publication = PUBLICATION.presenter()


@register("Publication")
def load_publication(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_publication(context.conn, context.shop.id, number)
    return present_publication(row) if row else None


def _publication_products_ids(context: RequestContext, publication: dict[str, Any], kind: str) -> list[int]:
    return rules.published_ids(context.conn, kind, publication["_pk"])


def _listing(kind: str) -> Callable[..., dict[str, Any]]:
    present = present_product if kind == "Product" else present_collection

    def resolve(publication: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                after: str | None = None, last: int | None = None, before: str | None = None,
                reverse: bool = False, **_: Any) -> dict[str, Any]:
        context = ctx(info)
        page_args(first, last)
        window = Window(first, after, last, before, reverse)
        page = listing.published_page(context.conn, kind, publication["_pk"], window)
        return connection(page, present)

    return resolve


publication_type.set_field("products", _listing("Product"))
publication_type.set_field("includedProducts", _listing("Product"))
publication_type.set_field("collections", _listing("Collection"))


@publication_type.field("includedProductsCount")
def resolve_included_count(publication: dict[str, Any], info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    return {"count": len(_publication_products_ids(ctx(info), publication, "Product")), "precision": "EXACT"}


@publication_type.field("hasCollection")
def resolve_has_collection(publication: dict[str, Any], info: GraphQLResolveInfo, id: str) -> bool:
    number = require_id(id, "Collection")
    return number is not None and rules.is_published(ctx(info).conn, "Collection", number, publication["_pk"])


# ---- Publishable fields of Product and Collection ------------------------------------------------
def _kind(obj: dict[str, Any]) -> str:
    return obj["__typename"]


def _resource_publication(obj: dict[str, Any], row: Any, published: bool, date: datetime | None) -> dict[str, Any]:
    from bulkops.clock import iso_z

    return {"__typename": "ResourcePublication", "isPublished": published, "publication": present_publication(row),
            "channel": None, "publishDate": iso_z(date), "publishable": obj}


def _static_page(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Publications per resource are a handful: one page, cursors by position."""
    page = Page(items, False, False, [str(i) for i in range(len(items))])
    return connection(page, lambda item: item)


def _published_rows(info: GraphQLResolveInfo, obj: dict[str, Any]) -> list[Any]:
    return rules.publications_of(ctx(info).conn, _kind(obj), obj["_pk"])


def resolve_published_on(obj: dict[str, Any], info: GraphQLResolveInfo, publicationId: str) -> bool:
    number = require_id(publicationId, "Publication")
    return number is not None and rules.is_published(ctx(info).conn, _kind(obj), obj["_pk"], number)


def resolve_resource_publications(obj: dict[str, Any], info: GraphQLResolveInfo, onlyPublished: bool = True,
                                  first: int | None = None, last: int | None = None, **_: Any) -> dict[str, Any]:
    page_args(first, last)
    published = {r.id: r.publish_date for r in _published_rows(info, obj)}
    rows = _publications(info) if not onlyPublished else [r for r in _published_rows(info, obj)]
    items = [_resource_publication(obj, r, r.id in published, published.get(r.id)) for r in rows]
    return _static_page(items[:first] if first is not None else items[-(last or 0):])


def resolve_resource_publications_count(obj: dict[str, Any], info: GraphQLResolveInfo,
                                        onlyPublished: bool = True) -> dict[str, Any]:
    count = len(_published_rows(info, obj)) if onlyPublished else len(_publications(info))
    return {"count": count, "precision": "EXACT"}


def resolve_available_count(obj: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"count": len(_published_rows(info, obj)), "precision": "EXACT"}


def resolve_publication_count(obj: dict[str, Any], info: GraphQLResolveInfo, onlyPublished: bool = True) -> int:
    return resolve_resource_publications_count(obj, info, onlyPublished)["count"]


def resolve_unpublished(obj: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                        last: int | None = None, **_: Any) -> dict[str, Any]:
    page_args(first, last)
    published = {r.id for r in _published_rows(info, obj)}
    items = [present_publication(r) for r in _publications(info) if r.id not in published]
    return _static_page(items[:first] if first is not None else items[-(last or 0):])


def present_collection_publication(row: Any, collection: dict[str, Any] | None = None) -> dict[str, Any]:
    """Where a collection is published (the deprecated ``Collection.publications``); in an export ``collection``
    is left out, the line's ``__parentId`` naming it (UNCONFIRMED what Shopify writes there)."""
    from bulkops.clock import iso_z

    return {"__typename": "CollectionPublication", "isPublished": True, "publishDate": iso_z(row.publish_date),
            "publication": present_publication(row), "channel": None, "collection": collection}


def resolve_collection_publications(obj: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                                    last: int | None = None, reverse: bool = False, **_: Any) -> dict[str, Any]:
    """The publications the collection is published on. ``onlyPublished: false`` lists the same (UNCONFIRMED:
    an unpublished one would need a ``publishDate``, which is non-null, and bulkops keeps none for it)."""
    page_args(first, last)
    items = [present_collection_publication(r, obj) for r in _published_rows(info, obj)]
    items = items[::-1] if reverse else items
    return _static_page(items[:first] if first is not None else items[-(last or 0):])


collection_type.set_field("publications", resolve_collection_publications)

for _type in (product_type, collection_type):
    _type.set_field("publishedOnPublication", resolve_published_on)
    _type.set_field("resourcePublications", resolve_resource_publications)
    _type.set_field("resourcePublicationsCount", resolve_resource_publications_count)
    _type.set_field("availablePublicationsCount", resolve_available_count)
    _type.set_field("publicationCount", resolve_publication_count)
    _type.set_field("unpublishedPublications", resolve_unpublished)


# ---- mutations -----------------------------------------------------------------------------------
def _publishable(context: RequestContext, raw: str) -> tuple[str, int]:
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId as exc:
        raise UserError("Invalid id", ["id"]) from exc
    if not rules.publishable_exists(context.conn, context.shop.id, kind, number):
        # UNCONFIRMED wording: the resource is not one of this shop's products or collections.
        raise UserError(f"{kind if kind in LOADERS else 'Publishable'} does not exist", ["id"])
    return kind, number


def _apply(info: GraphQLResolveInfo, id: str, input: list[dict[str, Any]], publish: bool) -> dict[str, Any]:
    context = ctx(info)
    kind, number = _publishable(context, id)
    _publications(info)
    errors = []
    targets = []
    for index, item in enumerate(input):
        raw = item.get("publicationId") or item.get("channelId")
        target = require_id(raw, "Publication") if raw and raw.startswith("gid://shopify/Publication/") else None
        row = rules.get_publication(context.conn, context.shop.id, target) if target else None
        if row is None:
            errors.append(UserError("Publication does not exist", ["input", str(index), "publicationId"]))
            continue
        targets.append((row, item.get("publishDate")))
    if errors:
        raise UserErrors(errors)
    for row, date in targets:
        if publish:
            when = datetime.fromisoformat(date.rstrip("Z")).replace(tzinfo=None) if date else context.now
            rules.publish(context.conn, context.shop.id, kind, number, row.id, when)
        else:
            rules.unpublish(context.conn, context.shop.id, kind, number, row.id)
    return {"publishable": LOADERS[kind](context, number), "shop": shop_field, "userErrors": []}


def _publish_error(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"publishable": None, "shop": shop_field, "userErrors": errors}


@mutation.field("publishablePublish")
@guarded(_publish_error)
def resolve_publish(_: Any, info: GraphQLResolveInfo, id: str, input: list[dict[str, Any]]) -> dict[str, Any]:
    """Publishing to the Online Store sets the resource's ``publishedAt``; publishing twice changes nothing."""
    return _apply(info, id, input, publish=True)


@mutation.field("publishableUnpublish")
@guarded(_publish_error)
def resolve_unpublish(_: Any, info: GraphQLResolveInfo, id: str, input: list[dict[str, Any]]) -> dict[str, Any]:
    return _apply(info, id, input, publish=False)


@mutation.field("publicationUpdate")
@guarded(lambda errors: {"publication": None, "userErrors": errors})
def resolve_publication_update(_: Any, info: GraphQLResolveInfo, id: str, input: dict[str, Any]) -> dict[str, Any]:
    """``publishablesToAdd``/``publishablesToRemove`` publish or unpublish many resources at once."""
    context = ctx(info)
    _publications(info)
    number = require_id(id, "Publication")
    row = rules.get_publication(context.conn, context.shop.id, number) if number else None
    if row is None:
        raise UserError("Publication does not exist", ["id"], "PUBLICATION_NOT_FOUND")
    changes: list[tuple[str, int, bool]] = []
    errors: list[UserError] = []
    for key, publish in (("publishablesToAdd", True), ("publishablesToRemove", False)):
        for index, raw in enumerate(input.get(key) or []):
            try:
                kind, resource = parse_gid(raw)
            except InvalidGlobalId:
                kind, resource = "", 0
            if kind not in LOADERS:
                errors.append(UserError("Publishable type is not supported", ["input", key, str(index)],
                                        "UNSUPPORTED_PUBLISHABLE_TYPE"))
            elif not rules.publishable_exists(context.conn, context.shop.id, kind, resource):
                # UNCONFIRMED wording (the code is Shopify's).
                errors.append(UserError("Publishable ID is invalid", ["input", key, str(index)],
                                        "INVALID_PUBLISHABLE_ID"))
            else:
                changes.append((kind, resource, publish))
    if errors:
        raise UserErrors(errors)
    if input.get("autoPublish") is not None:
        rules.set_auto_publish(context.conn, row.id, bool(input["autoPublish"]))
    for kind, resource, publish in changes:
        if publish:
            rules.publish(context.conn, context.shop.id, kind, resource, row.id, context.now)
        else:
            rules.unpublish(context.conn, context.shop.id, kind, resource, row.id)
    return {"publication": load_publication(context, row.id), "userErrors": []}


bindables = [mutation, publication_type, product_type, collection_type]

