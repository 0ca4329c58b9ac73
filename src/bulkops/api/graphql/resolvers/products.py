"""Products and variants: productCreate, productUpdate, productSet; product(s), productVariants."""

from __future__ import annotations

import re
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.api.graphql.context import RequestContext, ctx
from bulkops.api.graphql.resolvers.common import (
    bad_cursor,
    connection,
    guarded,
    page_args,
    require_id,
    user_errors,
)
from bulkops.api.graphql.resolvers.metafields import metafield_inputs, present_metafield
from bulkops.api.graphql.resolvers.nodes import register
from bulkops.clock import iso_z
from bulkops.db.pagination import BadCursor, paginate
from bulkops.db.tables import metafields as metafields_table
from bulkops.db.tables import product_variants, products
from bulkops.errors import UserError, UserErrors
from bulkops.shop import metafields as metafield_rules
from bulkops.shop import products as rules
from bulkops.shop.listing import apply_search

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
product_type = ObjectType("Product")
variant_type = ObjectType("ProductVariant")

PRODUCT_SEARCH = {
    "title": products.c.title, "handle": products.c.handle, "vendor": products.c.vendor,
    "product_type": products.c.product_type, "status": products.c.status, "tag": products.c.tags,
    "created_at": products.c.created_at, "updated_at": products.c.updated_at, "id": products.c.id,
}
PRODUCT_SORT = {
    "ID": products.c.id, "TITLE": products.c.title, "CREATED_AT": products.c.created_at,
    "UPDATED_AT": products.c.updated_at, "VENDOR": products.c.vendor, "PRODUCT_TYPE": products.c.product_type,
}
VARIANT_SORT = {"ID": product_variants.c.id, "POSITION": product_variants.c.position,
                "SKU": product_variants.c.sku, "TITLE": product_variants.c.title}


def present_product(row: Any) -> dict[str, Any]:
    plain = re.sub(r"<[^>]+>", "", row.description_html or "")
    return {
        "__typename": "Product", "id": f"gid://shopify/Product/{row.id}", "_pk": row.id,
        "legacyResourceId": str(row.id), "title": row.title, "handle": row.handle,
        "descriptionHtml": row.description_html, "bodyHtml": row.description_html,
        "description": lambda info, truncateAt=None: plain[:truncateAt] if truncateAt else plain,
        "vendor": row.vendor, "productType": row.product_type, "status": row.status, "tags": row.tags,
        "templateSuffix": row.template_suffix, "isGiftCard": row.gift_card,
        "requiresSellingPlan": row.requires_selling_plan,
        "seo": {"title": row.seo_title, "description": row.seo_description},
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at), "publishedAt": iso_z(row.published_at),
        "onlineStoreUrl": None, "totalInventory": 0, "tracksInventory": False,
    }


def present_variant(row: Any) -> dict[str, Any]:
    return {
        "__typename": "ProductVariant", "id": f"gid://shopify/ProductVariant/{row.id}", "_pk": row.id,
        "_product_id": row.product_id, "legacyResourceId": str(row.id), "title": row.title,
        "displayName": row.title, "price": row.price, "compareAtPrice": row.compare_at_price, "sku": row.sku,
        "barcode": row.barcode, "position": row.position, "taxable": row.taxable,
        "inventoryQuantity": row.inventory_quantity, "inventoryPolicy": row.inventory_policy,
        "selectedOptions": row.selected_options, "availableForSale": True,
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at),
    }


@register("Product")
def load_product(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_product(context.conn, context.shop.id, number)
    return present_product(row) if row else None


@register("ProductVariant")
def load_variant(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_variant(context.conn, context.shop.id, number)
    return present_variant(row) if row else None


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


def variant_specs(raw: list[dict[str, Any]]) -> list[rules.VariantSpec]:
    return [
        rules.VariantSpec(
            option_values=[(v.get("optionName") or "", v.get("name") or "") for v in item.get("optionValues") or []],
            price=item.get("price"), compare_at_price=item.get("compareAtPrice"), sku=item.get("sku"),
            barcode=item.get("barcode"), taxable=item.get("taxable"), inventory_policy=item.get("inventoryPolicy"),
            position=item.get("position"),
        )
        for item in raw
    ]


def _set_owned_metafields(context: RequestContext, owner: str, owner_id: int, raw: list[dict[str, Any]] | None,
                          prefix: list[str]) -> None:
    if not raw:
        return
    try:
        metafield_rules.set_metafields(context.conn, context.shop.id, metafield_inputs(raw, owner, owner_id),
                                       context.now)
    except UserErrors as exc:
        for error in exc.errors:
            error.field = [*prefix, *(error.field or [])[1:]]
        raise


def _product_payload(context: RequestContext, product_id: int) -> dict[str, Any]:
    return {"product": load_product(context, product_id), "userErrors": [], "shop": {"id": context.shop.gid}}


def _error_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"product": None, "userErrors": errors}


# ---- mutations -----------------------------------------------------------------------------------
@mutation.field("productCreate")
@guarded(_error_payload)
def resolve_product_create(_: Any, info: GraphQLResolveInfo, product: dict[str, Any] | None = None,
                           input: dict[str, Any] | None = None, media: Any = None) -> dict[str, Any]:
    context = ctx(info)
    data = product if product is not None else input
    if data is None:
        raise UserError("Either product or input is required.", ["product"])
    if input is not None and input.get("id"):
        raise UserError("Cannot specify an ID when creating a product.", ["id"])
    product_id = rules.create_product(context.conn, context.shop.id, product_fields(data),
                                      option_specs(data.get("productOptions")), context.now)
    _set_owned_metafields(context, "Product", product_id, data.get("metafields"), ["metafields"])
    return _product_payload(context, product_id)


@mutation.field("productUpdate")
@guarded(_error_payload)
def resolve_product_update(_: Any, info: GraphQLResolveInfo, product: dict[str, Any] | None = None,
                           input: dict[str, Any] | None = None, identifier: dict[str, Any] | None = None,
                           media: Any = None) -> dict[str, Any]:
    context = ctx(info)
    data = product if product is not None else (input or {})
    product_id = _identify(context, identifier or {"id": data.get("id")})
    if product_id is None:
        raise UserError("Product does not exist", ["id"])
    rules.update_product(context.conn, context.shop.id, product_id, product_fields(data), context.now)
    _set_owned_metafields(context, "Product", product_id, data.get("metafields"), ["metafields"])
    return _product_payload(context, product_id)


def _identify(context: RequestContext, identifier: dict[str, Any]) -> int | None:
    if identifier.get("id"):
        number = require_id(identifier["id"], "Product")
        return number if number and rules.product_exists(context.conn, context.shop.id, number) else None
    if identifier.get("handle"):
        return rules.product_id_by_handle(context.conn, context.shop.id, identifier["handle"])
    return None


def _set_error_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"product": None, "productSetOperation": None, "userErrors": errors}


@mutation.field("productSet")
@guarded(_set_error_payload)
def resolve_product_set(_: Any, info: GraphQLResolveInfo, input: dict[str, Any],
                        identifier: dict[str, Any] | None = None, synchronous: bool = True) -> dict[str, Any]:
    """Always synchronous here (as inside a bulk operation at Shopify); list fields replace as a whole."""
    context = ctx(info)
    if identifier and input.get("id"):
        raise UserError("The id field is not allowed if identifier is provided.", ["input", "id"], "ID_NOT_ALLOWED")
    if identifier and len([v for v in identifier.values() if v is not None]) != 1:
        raise UserError("Exactly one identifier must be provided.", ["identifier"], "INVALID_INPUT")
    product_id: int | None = None
    fields = product_fields(input)
    if input.get("id"):
        product_id = require_id(input["id"], "Product")
        if product_id is None or not rules.product_exists(context.conn, context.shop.id, product_id):
            raise UserError("Product does not exist", ["input", "id"], "PRODUCT_DOES_NOT_EXIST")
    elif identifier:
        product_id = _identify(context, identifier)
        if product_id is None and identifier.get("id"):
            raise UserError("Product does not exist", ["identifier", "id"], "PRODUCT_DOES_NOT_EXIST")
        if product_id is None and identifier.get("handle") and not fields.handle:
            fields = rules.ProductFields(**{**fields.given(), "handle": identifier["handle"]})
    options = option_specs(input["productOptions"]) if input.get("productOptions") is not None else None
    variants = variant_specs(input["variants"]) if input.get("variants") is not None else None
    product_id = rules.set_product(context.conn, context.shop.id, product_id, fields, options, variants, context.now)
    _set_owned_metafields(context, "Product", product_id, input.get("metafields"), ["input", "metafields"])
    return {**_product_payload(context, product_id), "productSetOperation": None}


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
    stmt = apply_search(products.select().where(products.c.shop_id == context.shop.id), query, PRODUCT_SEARCH,
                        products.c.title)
    try:
        page = paginate(context.conn, stmt, sort=PRODUCT_SORT.get(sortKey, products.c.id), id_col=products.c.id,
                        first=first, after=after, last=last, before=before, reverse=reverse)
    except BadCursor as exc:
        raise bad_cursor(exc) from exc
    return connection(page, present_product)


@query.field("productVariants")
def resolve_product_variants(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                             last: int | None = None, before: str | None = None, reverse: bool = False,
                             sortKey: str = "ID", query: str | None = None,
                             savedSearchId: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = apply_search(rules.variants_query(context.shop.id), query,
                        {"sku": product_variants.c.sku, "title": product_variants.c.title,
                         "barcode": product_variants.c.barcode, "product_id": product_variants.c.product_id},
                        product_variants.c.title)
    try:
        page = paginate(context.conn, stmt, sort=VARIANT_SORT.get(sortKey, product_variants.c.id),
                        id_col=product_variants.c.id, first=first, after=after, last=last, before=before,
                        reverse=reverse)
    except BadCursor as exc:
        raise bad_cursor(exc) from exc
    return connection(page, present_variant)


@product_type.field("variants")
def resolve_variants(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                     after: str | None = None, last: int | None = None, before: str | None = None,
                     reverse: bool = False, sortKey: str = "POSITION") -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    try:
        page = paginate(context.conn, rules.variants_query(context.shop.id, product["_pk"]),
                        sort=VARIANT_SORT.get(sortKey, product_variants.c.position), id_col=product_variants.c.id,
                        first=first, after=after, last=last, before=before, reverse=reverse)
    except BadCursor as exc:
        raise bad_cursor(exc) from exc
    return connection(page, present_variant)


@product_type.field("variantsCount")
def resolve_variants_count(product: dict[str, Any], info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    rows = ctx(info).conn.execute(rules.variants_query(ctx(info).shop.id, product["_pk"])).fetchall()
    return {"count": len(rows), "precision": "EXACT"}


@product_type.field("hasOnlyDefaultVariant")
def resolve_only_default(product: dict[str, Any], info: GraphQLResolveInfo) -> bool:
    return not rules.options_of(ctx(info).conn, product["_pk"])


@product_type.field("options")
def resolve_options(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None) -> list[dict[str, Any]]:
    rows = rules.options_of(ctx(info).conn, product["_pk"])[:first]
    if not rows:
        return [{"id": f"gid://shopify/ProductOption/{product['_pk']}0", "name": "Title", "position": 1,
                 "values": ["Default Title"], "optionValues": [{"name": "Default Title", "hasVariants": True}]}]
    return [{"__typename": "ProductOption", "id": f"gid://shopify/ProductOption/{r.id}", "name": r.name,
             "position": r.position, "values": r.values,
             "optionValues": [{"name": v, "hasVariants": True} for v in r.values]} for r in rows]


def _owner_metafields(owner: str, key: str):  # type: ignore[no-untyped-def]
    def resolve(obj: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                last: int | None = None, before: str | None = None, reverse: bool = False,
                namespace: str | None = None, keys: list[str] | None = None) -> dict[str, Any]:
        context = ctx(info)
        page_args(first, last)
        stmt = metafield_rules.metafields_query(context.shop.id, owner, obj[key], namespace)
        if keys:
            stmt = stmt.where((metafields_table.c.namespace + "." + metafields_table.c.key).in_(keys))
        page = paginate(context.conn, stmt, sort=metafields_table.c.id, id_col=metafields_table.c.id, first=first,
                        after=after, last=last, before=before, reverse=reverse)
        return connection(page, present_metafield)

    return resolve


def _owner_metafield(owner: str, key: str):  # type: ignore[no-untyped-def]
    def resolve(obj: dict[str, Any], info: GraphQLResolveInfo, key_: str | None = None, namespace: str | None = None,
                **kwargs: Any) -> dict[str, Any] | None:
        context = ctx(info)
        wanted = kwargs.get("key", key_) or ""
        if namespace is None and "." in wanted:
            namespace, wanted = wanted.rsplit(".", 1)
        row = metafield_rules.get_metafield(context.conn, context.shop.id, owner, obj[key], namespace or "custom",
                                            wanted)
        return present_metafield(row) if row else None

    return resolve


product_type.set_field("metafields", _owner_metafields("Product", "_pk"))
product_type.set_field("metafield", _owner_metafield("Product", "_pk"))
variant_type.set_field("metafields", _owner_metafields("ProductVariant", "_pk"))
variant_type.set_field("metafield", _owner_metafield("ProductVariant", "_pk"))


@variant_type.field("product")
def resolve_variant_product(variant: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return load_product(ctx(info), variant["_product_id"])


bindables = [query, mutation, product_type, variant_type]
__all__ = ["bindables", "present_product", "present_variant", "user_errors"]
