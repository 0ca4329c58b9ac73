"""Products: productCreate, productUpdate, productSet; product(s), productVariants (media: resolvers/media.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.collections import rules as collection_rules
from bulkops.domain.media import rules as media_rules
from bulkops.domain.metafields import rules as metafield_rules
from bulkops.domain.metafields.listing import owned_metafields
from bulkops.domain.products import rules
from bulkops.domain.products.batch import create_many
from bulkops.domain.products.fields import PRODUCT, PRODUCT_OPTION, VARIANT, present_inventory_item
from bulkops.domain.products.listing import PRODUCT_VARIANTS, PRODUCTS, VARIANTS
from bulkops.domain.products.pricing import price_ranges
from bulkops.domain.products.sets import ProductSetInput, set_many
from bulkops.domain.products.updates import ProductUpdateInput, update_many
from bulkops.graphql.bindings.common import Window, guarded, listed, page_args, require_id, user_errors
from bulkops.graphql.bindings.media_input import new_media
from bulkops.graphql.bindings.metafields import present_metafield
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError, UserErrors
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
product_type = ObjectType("Product")
variant_type = ObjectType("ProductVariant")

# ---- presenters (derived from domain/products/fields.py) ---------------------------------------------
present_product = PRODUCT.presenter()
present_variant = VARIANT.presenter()
present_option = PRODUCT_OPTION.presenter()

_CHEAP_READS = PRODUCT.cheap_reads()
"""present_product's entries that read the row as it is (same values: tests/graphql/test_compiled_plan.py)."""


def product_presenter(names: set[str] | None) -> Callable[[Any], dict[str, Any]]:
    """present_product, or, when the selected field ``names`` are all plain reads of the row, a presenter of
    only those: a bulk import selecting ``id title handle`` need not format three timestamps and strip the
    description's HTML on every line."""
    split = split_product_presenter(names)
    if split is None:
        return present_product
    without_ids, of_ids = split
    return lambda row: {**without_ids(row), **of_ids(row)}


_OF_IDS = {"id", "_pk", "legacyResourceId", "handle"}
"""The plain reads that read the product's id or handle."""


def split_product_presenter(names: set[str] | None) -> tuple[Callable[[Any], dict[str, Any]],
                                                             Callable[[Any], dict[str, Any]]] | None:
    """For plain reads only: a presenter of the fields that need neither id nor handle (a bulk import's helper
    process presents those before the writer has given them), and one of the fields that do."""
    if names is None or not names <= _CHEAP_READS.keys():
        return None
    without_ids = [(name, _CHEAP_READS[name]) for name in sorted(names - _OF_IDS)]
    of_ids = [(name, _CHEAP_READS[name]) for name in sorted(names & _OF_IDS)]
    return (lambda row: {name: read(row) for name, read in without_ids},
            lambda row: {name: read(row) for name, read in of_ids})


@register("Product")
def load_product(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_product(context.conn, context.shop.id, number)
    return present_product(row) if row else None


@register("ProductVariant")
def load_variant(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_variant(context.conn, context.shop.id, number)
    return present_variant(row) if row else None


@register("InventoryItem")
def load_inventory_item(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_variant(context.conn, context.shop.id, number)
    return present_inventory_item(row) if row else None


# ---- input translation ---------------------------------------------------------------------------
def product_fields(data: dict[str, Any]) -> rules.ProductFields:
    seo = data.get("seo") or {}
    return rules.ProductFields(
        title=data.get("title"), handle=data.get("handle"), description_html=data.get("descriptionHtml"),
        vendor=data.get("vendor"), product_type=data.get("productType"), status=data.get("status"),
        tags=data.get("tags"), template_suffix=data.get("templateSuffix"), seo_title=seo.get("title"),
        seo_description=seo.get("description"), gift_card=data.get("giftCard"),
        requires_selling_plan=data.get("requiresSellingPlan"), category_id=data.get("category"),
    )


def option_specs(raw: list[dict[str, Any]] | None) -> list[rules.OptionSpec]:
    return [
        rules.OptionSpec(name=o.get("name") or "", values=[v.get("name") or "" for v in o.get("values") or []])
        for o in raw or []
    ]


def _number(raw: str | None, type_name: str) -> int | None:
    if raw is None:
        return None
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId:
        return -1
    return number if kind == type_name else -1


def _inventory_item_input(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    # keys sorted: graphql-core hands them in the schema's order, a compiled plan in the line's, and the stored
    # JSON should not depend on which path the line took
    return {k: raw[k] for k in sorted(raw) if k != "sku" and raw[k] is not None} or None


def variant_spec(item: dict[str, Any], option_names: dict[str, str] | None = None) -> rules.VariantSpec:
    """A ProductVariantSetInput or ProductVariantsBulkInput; ``option_names`` maps option gids to names."""
    pairs = []
    for value in item.get("optionValues") or []:
        name = value.get("optionName")
        if name is None and value.get("optionId") and option_names:
            name = option_names.get(value["optionId"])
        pairs.append((name or "", value.get("name") or ""))
    inventory_item = item.get("inventoryItem") or {}
    quantities = item.get("inventoryQuantities")
    quantity = None
    if quantities:
        quantity = sum(int(q.get("quantity", q.get("availableQuantity", 0)) or 0) for q in quantities)
    return rules.VariantSpec(
        option_values=pairs if item.get("optionValues") is not None else None,
        id=_number(item.get("id"), "ProductVariant"), price=item.get("price"),
        compare_at_price=item.get("compareAtPrice"), sku=item.get("sku", inventory_item.get("sku")),
        barcode=item.get("barcode"), taxable=item.get("taxable"), inventory_policy=item.get("inventoryPolicy"),
        position=item.get("position"), inventory_item=_inventory_item_input(inventory_item),
        inventory_quantity=quantity,
    )


def new_product(data: dict[str, Any], metafields: list[rules.MetafieldSpec]) -> rules.NewProduct:
    """A ProductCreateInput (or legacy ProductInput) as the domain takes it."""
    return rules.NewProduct(product_fields(data), option_specs(data.get("productOptions")), metafields)


def metafield_spec(raw: dict[str, Any]) -> rules.MetafieldSpec:
    return rules.MetafieldSpec(raw.get("namespace"), raw.get("key") or "", raw.get("value") or "", raw.get("type"))


def owned_metafield_specs(context: RequestContext, raw: list[dict[str, Any]] | None) -> list[rules.MetafieldSpec]:
    """Owned metafields; one given by ``id`` alone (as productVariantsBulkUpdate allows) keeps its key."""
    out = []
    for m in raw or []:
        spec = metafield_spec(m)
        if m.get("id") and not spec.key:
            number = _number(m["id"], "Metafield") or -1
            row = metafield_rules.get_metafield_by_id(context.conn, context.shop.id, number)
            if row is not None:
                spec = spec._replace(namespace=row.namespace, key=row.key)
        out.append(spec)
    return out


def set_owned_metafields(context: RequestContext, owner: str, owner_id: int, raw: list[dict[str, Any]] | None,
                         prefix: list[str], code: str | None = None) -> None:
    if raw:
        rules.set_owned_metafields(context.conn, context.shop.id, owner, owner_id,
                                   owned_metafield_specs(context, raw), prefix, code, context.now)


def collection_numbers(raw: list[str] | None) -> list[int | None]:
    return [n if (n := _number(r, "Collection")) and n > 0 else None for r in raw or []]


def _join_collections(context: RequestContext, product_id: int, data: dict[str, Any], prefix: list[str]) -> None:
    conn, shop_id = context.conn, context.shop.id
    if data.get("collectionsToJoin"):
        ids = collection_rules.require_custom_collections(conn, shop_id, collection_numbers(data["collectionsToJoin"]),
                                                          [*prefix, "collectionsToJoin"])
        for collection_id in ids:
            collection_rules.add_products(conn, collection_id, [product_id])
    if data.get("collectionsToLeave"):
        ids = collection_rules.require_custom_collections(conn, shop_id,
                                                          collection_numbers(data["collectionsToLeave"]),
                                                          [*prefix, "collectionsToLeave"])
        for collection_id in ids:
            collection_rules.remove_product(conn, collection_id, product_id)


def shop_field(info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    """A payload's ``shop``: the caller's shop, as the ``shop`` query presents it."""
    from bulkops.graphql.bindings.shop import resolve_shop

    return resolve_shop(None, info)


def _product_payload(context: RequestContext, product_id: int) -> dict[str, Any]:
    return {"product": load_product(context, product_id), "userErrors": [], "shop": shop_field}


def _error_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"product": None, "userErrors": [{k: v for k, v in e.items() if k in ("field", "message")}
                                            for e in errors]}


def identify(context: RequestContext, identifier: dict[str, Any]) -> int | None:
    if identifier.get("id"):
        number = require_id(identifier["id"], "Product")
        return number if number and rules.product_exists(context.conn, context.shop.id, number) else None
    if identifier.get("handle"):
        return rules.product_id_by_handle(context.conn, context.shop.id, identifier["handle"])
    return None


def _add_media(context: RequestContext, product_id: int, raw: list[dict[str, Any]] | None) -> None:
    """productCreate/productUpdate's ``media`` (CreateMediaInput list), appended to the product's media."""
    if raw:
        media_rules.add_media(context.conn, context.shop.id, product_id, new_media(raw), context.now, ["media"])


# ---- mutations -----------------------------------------------------------------------------------
@mutation.field("productCreate")
@guarded(lambda errors: {**_error_payload(errors), "shop": shop_field})
def resolve_product_create(_: Any, info: GraphQLResolveInfo, product: dict[str, Any] | None = None,
                           input: dict[str, Any] | None = None,
                           media: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``media`` is stored on the new product (see resolvers/media.py)."""
    context = ctx(info)
    data = product if product is not None else input
    if data is None:
        raise UserError("Either product or input is required.", ["product"])
    if input is not None and input.get("id"):
        raise UserError("Cannot specify an ID when creating a product.", ["id"])
    new = new_product(data, owned_metafield_specs(context, data.get("metafields")))
    created = create_many(context.conn, context.shop.id, [new], context.now)[0]
    if isinstance(created, UserErrors):
        raise created
    _join_collections(context, created, data, [])
    _add_media(context, created, media)
    return _product_payload(context, created)


@mutation.field("productUpdate")
@guarded(_error_payload)
def resolve_product_update(_: Any, info: GraphQLResolveInfo, product: dict[str, Any] | None = None,
                           input: dict[str, Any] | None = None, identifier: dict[str, Any] | None = None,
                           media: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``media`` is appended to the product's media; ``redirectNewHandle`` is accepted as a no-op (this server
    serves no storefront to redirect)."""
    context = ctx(info)
    data = product if product is not None else (input or {})
    product_id = identify(context, identifier or {"id": data.get("id")})
    if product_id is None:
        raise UserError("Product does not exist", ["id"])
    [outcome] = update_many(context.conn, context.shop.id, [ProductUpdateInput(product_id, product_fields(data))],
                            context.now)
    if isinstance(outcome, UserErrors):
        raise outcome
    set_owned_metafields(context, "Product", product_id, data.get("metafields"), ["metafields"])
    _join_collections(context, product_id, data, [])
    _add_media(context, product_id, media)
    return _product_payload(context, product_id)


def _set_error_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"product": None, "productSetOperation": None, "userErrors": errors}


def _set_identity(context: RequestContext, input: dict[str, Any], identifier: dict[str, Any] | None,
                  fields: rules.ProductFields) -> tuple[int | None, rules.ProductFields]:
    if identifier and input.get("id"):
        raise UserError("The id field is not allowed if identifier is provided.", ["input", "id"], "ID_NOT_ALLOWED")
    if identifier and len([v for v in identifier.values() if v is not None]) != 1:
        raise UserError("Exactly one identifier must be provided.", ["identifier"], "INVALID_INPUT")
    if input.get("id"):
        product_id = require_id(input["id"], "Product")
        if product_id is None or not rules.product_exists(context.conn, context.shop.id, product_id):
            raise UserError("Product does not exist", ["input", "id"], "PRODUCT_DOES_NOT_EXIST")
        return product_id, fields
    if not identifier:
        return None, fields
    if identifier.get("customId"):
        raise UserError("Identifying a product by customId is not supported by this server.",
                        ["identifier", "customId"], "INVALID_INPUT")
    product_id = identify(context, identifier)
    if product_id is None and identifier.get("id"):
        raise UserError("Product does not exist", ["identifier", "id"], "PRODUCT_DOES_NOT_EXIST")
    if product_id is None and identifier.get("handle") and not fields.handle:
        fields = rules.ProductFields(**{**fields.given(), "handle": identifier["handle"]})
    return product_id, fields


def product_set_input(data: dict[str, Any], product_id: int | None, fields: rules.ProductFields,
                      metafields_of: Callable[[list[dict[str, Any]]], list[rules.MetafieldSpec]]
                      ) -> ProductSetInput:
    """A ProductSetInput as the domain takes it, its product identified (``metafields_of`` translates a
    metafield list)."""
    raw_variants = data.get("variants")
    return ProductSetInput(
        product_id, fields,
        options=option_specs(data["productOptions"]) if data.get("productOptions") is not None else None,
        variants=[variant_spec(v) for v in raw_variants] if raw_variants is not None else None,
        metafields=metafields_of(data["metafields"]) if data.get("metafields") is not None else None,
        variant_metafields=[metafields_of(v["metafields"]) if v.get("metafields") is not None else None
                            for v in raw_variants or []],
        collections=collection_numbers(data["collections"]) if data.get("collections") is not None else None,
    )


@mutation.field("productSet")
@guarded(_set_error_payload)
def resolve_product_set(_: Any, info: GraphQLResolveInfo, input: dict[str, Any],
                        identifier: dict[str, Any] | None = None, synchronous: bool = True) -> dict[str, Any]:
    """Always synchronous here (as inside a bulk operation at Shopify). List fields (options, variants,
    metafields, collections, variant metafields) end up exactly as given; ``redirectNewHandle`` is a no-op."""
    context = ctx(info)
    product_id, fields = _set_identity(context, input, identifier, product_fields(input))
    item = product_set_input(input, product_id, fields, lambda raw: owned_metafield_specs(context, raw))
    [outcome] = set_many(context.conn, context.shop.id, [item], context.now)
    if isinstance(outcome, UserErrors):
        raise outcome
    return {**_product_payload(context, outcome), "productSetOperation": None}


# ---- queries -------------------------------------------------------------------------------------
@query.field("product")
def resolve_product(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "Product")
    return load_product(ctx(info), number) if number else None


@query.field("products")
def resolve_products(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                     last: int | None = None, before: str | None = None, reverse: bool = False,
                     sortKey: str = "ID", query: str | None = None, savedSearchId: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = PRODUCTS.rows(context.conn, context.shop.id, {"query": query})
    return listed(context, PRODUCTS, stmt, present_product, Window(first, after, last, before, reverse, sortKey))


@query.field("productVariants")
def resolve_product_variants(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                             last: int | None = None, before: str | None = None, reverse: bool = False,
                             sortKey: str = "ID", query: str | None = None,
                             savedSearchId: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = VARIANTS.rows(context.conn, context.shop.id, {"query": query})
    return listed(context, VARIANTS, stmt, present_variant, Window(first, after, last, before, reverse, sortKey))


@query.field("inventoryItems")
def resolve_inventory_items(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                            last: int | None = None, before: str | None = None, reverse: bool = False,
                            query: str | None = None) -> dict[str, Any]:
    """The shop's inventory items: one per variant, with the variant's number (so in the variants' order)."""
    context = ctx(info)
    page_args(first, last)
    stmt = VARIANTS.rows(context.conn, context.shop.id, {"query": query})
    return listed(context, VARIANTS, stmt, present_inventory_item, Window(first, after, last, before, reverse, "ID"))


@product_type.field("variants")
def resolve_variants(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                     after: str | None = None, last: int | None = None, before: str | None = None,
                     reverse: bool = False, sortKey: str = "POSITION") -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = PRODUCT_VARIANTS.of_parent(PRODUCT_VARIANTS.rows(context.conn, context.shop.id, {}), product["_pk"])
    return listed(context, PRODUCT_VARIANTS, stmt, present_variant,
                  Window(first, after, last, before, reverse, sortKey))


@product_type.field("variantsCount")
def resolve_variants_count(product: dict[str, Any], info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    return {"count": rules.variants_count(ctx(info).conn, product["_pk"]), "precision": "EXACT"}


@product_type.field("totalVariants")
def resolve_total_variants(product: dict[str, Any], info: GraphQLResolveInfo) -> int:
    return rules.variants_count(ctx(info).conn, product["_pk"])


@product_type.field("totalInventory")
def resolve_total_inventory(product: dict[str, Any], info: GraphQLResolveInfo) -> int:
    return rules.total_inventory(ctx(info).conn, product["_pk"])


@product_type.field("hasOnlyDefaultVariant")
def resolve_only_default(product: dict[str, Any], info: GraphQLResolveInfo) -> bool:
    return not rules.options_of(ctx(info).conn, product["_pk"])


@product_type.field("hasOutOfStockVariants")
def resolve_out_of_stock(product: dict[str, Any], info: GraphQLResolveInfo) -> bool:
    return rules.has_out_of_stock_variants(ctx(info).conn, product["_pk"])


@product_type.field("options")
def resolve_options(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None) -> list[dict[str, Any]]:
    context = ctx(info)
    return [present_option(o) for o in rules.options_in_use(context.conn, context.shop.id, product["_pk"])[:first]]


@product_type.field("priceRangeV2")
@product_type.field("priceRange")
def resolve_price_range(product: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    return price_ranges(ctx(info).conn, product["_pk"]).price_range()


@product_type.field("compareAtPriceRange")
def resolve_compare_at_price_range(product: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return price_ranges(ctx(info).conn, product["_pk"]).compare_at_range()


def _owner_metafields(owner: str, key: str):  # type: ignore[no-untyped-def]
    listing = owned_metafields(owner)

    def resolve(obj: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                last: int | None = None, before: str | None = None, reverse: bool = False,
                namespace: str | None = None, keys: list[str] | None = None) -> dict[str, Any]:
        context = ctx(info)
        page_args(first, last)
        stmt = listing.rows(context.conn, context.shop.id, {"namespace": namespace, "keys": keys})
        return listed(context, listing, listing.of_parent(stmt, obj[key]), present_metafield,
                      Window(first, after, last, before, reverse))

    return resolve


def _owner_metafield(owner: str, key: str):  # type: ignore[no-untyped-def]
    def resolve(obj: dict[str, Any], info: GraphQLResolveInfo, namespace: str | None = None,
                **kwargs: Any) -> dict[str, Any] | None:
        context = ctx(info)
        wanted = kwargs.get("key") or ""
        if namespace is None and "." in wanted:
            namespace, wanted = wanted.rsplit(".", 1)
        row = metafield_rules.get_metafield(context.conn, context.shop.id, owner, obj[key], namespace or "custom",
                                            wanted)
        return present_metafield(row) if row else None

    return resolve


owner_metafields = _owner_metafields
owner_metafield = _owner_metafield
product_type.set_field("metafields", _owner_metafields("Product", "_pk"))
product_type.set_field("metafield", _owner_metafield("Product", "_pk"))
variant_type.set_field("metafields", _owner_metafields("ProductVariant", "_pk"))
variant_type.set_field("metafield", _owner_metafield("ProductVariant", "_pk"))


@variant_type.field("product")
def resolve_variant_product(variant: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return load_product(ctx(info), variant["_product_id"])


@variant_type.field("displayName")
def resolve_display_name(variant: dict[str, Any], info: GraphQLResolveInfo) -> str:
    product = rules.get_product(ctx(info).conn, ctx(info).shop.id, variant["_product_id"])
    return f"{product.title} - {variant['title']}" if product else variant["title"]


bindables = [query, mutation, product_type, variant_type]
__all__ = ["bindables", "present_product", "present_variant", "user_errors"]
