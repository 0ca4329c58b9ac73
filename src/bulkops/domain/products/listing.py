"""The product connections' rows: ``products``, ``productVariants`` and ``Product.variants`` (search fields,
sort keys), for the paginated resolvers and the bulk export alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Numeric, bindparam, cast, select

from bulkops.db.tables import collection_products, product_media, product_options, product_variants, products
from bulkops.domain.collections import rules as collection_rules
from bulkops.domain.listing import Listing, Search, any_of, through
from bulkops.domain.media.rules import media_query
from bulkops.domain.rest_paging import RestListing
from bulkops.domain.search_syntax import Term
from bulkops.protocol.ids import InvalidGlobalId, parse_gid


def _collection_number(value: str) -> int | None:
    """``collection_id:<n>`` or ``collection_id:gid://shopify/Collection/<n>``."""
    try:
        kind, number = parse_gid(value if value.startswith("gid://") else f"gid://shopify/Collection/{value}")
    except InvalidGlobalId:
        return None
    return number if kind == "Collection" else None


def in_collection(conn: Connection, shop_id: int, term: Term) -> Any:
    """``collection_id:<n>``: the collection's products (a custom one's by its rows, a smart one's by its rules,
    their ids written into the SQL: no limit on bound parameters, and the export's driver path reads it as is)."""
    number = _collection_number(term.value)
    row = collection_rules.get_collection(conn, shop_id, number) if number is not None else None
    if row is not None and row.rule_set is None:
        return products.c.id.in_(select(collection_products.c.product_id).where(
            collection_products.c.collection_id == row.id))
    ids = collection_rules.member_ids(conn, shop_id, row) if row is not None else []
    return products.c.id.in_(bindparam("collection_members", ids, expanding=True, literal_execute=True))


_VARIANT_PRICE = cast(product_variants.c.price, Numeric(20, 4))
"""Prices are kept as text; searches compare them as numbers."""

PRODUCTS = Listing(
    "Product", products,
    sort_keys={"ID": products.c.id, "TITLE": products.c.title, "CREATED_AT": products.c.created_at,
               "UPDATED_AT": products.c.updated_at, "VENDOR": products.c.vendor,
               "PRODUCT_TYPE": products.c.product_type, "PUBLISHED_AT": products.c.published_at},
    default_sort="ID",
    search=Search(
        fields={"title": products.c.title, "handle": products.c.handle, "vendor": products.c.vendor,
                "product_type": products.c.product_type, "status": products.c.status, "tag": products.c.tags,
                "created_at": products.c.created_at, "updated_at": products.c.updated_at, "id": products.c.id,
                "published_at": products.c.published_at, "gift_card": products.c.gift_card},
        default=products.c.title,
        lookups={"collection_id": in_collection,
                 **{name: through(products.c.id, product_variants.c.product_id, column) for name, column in
                    {"sku": product_variants.c.sku, "barcode": product_variants.c.barcode,
                     "price": _VARIANT_PRICE}.items()}},
        negating_aliases={"tag_not": "tag"},
    ),
)

_VARIANT_SORT = {"ID": product_variants.c.id, "POSITION": product_variants.c.position,
                 "SKU": product_variants.c.sku, "TITLE": product_variants.c.title,
                 "FULL_TITLE": product_variants.c.title, "NAME": product_variants.c.title,
                 "INVENTORY_QUANTITY": product_variants.c.inventory_quantity,
                 "INVENTORY_POLICY": product_variants.c.inventory_policy}

VARIANTS = Listing(
    "ProductVariant", product_variants, sort_keys=_VARIANT_SORT, default_sort="ID",
    search=Search(
        fields={"sku": product_variants.c.sku, "title": product_variants.c.title,
                "barcode": product_variants.c.barcode, "product_id": product_variants.c.product_id,
                "id": product_variants.c.id, "price": _VARIANT_PRICE,
                "created_at": product_variants.c.created_at, "updated_at": product_variants.c.updated_at,
                "inventory_quantity": product_variants.c.inventory_quantity,
                "taxable": product_variants.c.taxable},
        default=product_variants.c.title,
        lookups={"product_ids": any_of(product_variants.c.product_id),
                 **{name: through(product_variants.c.product_id, products.c.id, column) for name, column in
                    {"product_status": products.c.status, "vendor": products.c.vendor, "tag": products.c.tags,
                     "product_type": products.c.product_type, "gift_card": products.c.gift_card}.items()}},
        negating_aliases={"tag_not": "tag"},
    ),
)
"""``productVariants``: every variant of the shop."""

PRODUCT_VARIANTS = Listing("ProductVariant", product_variants, sort_keys=_VARIANT_SORT, default_sort="POSITION",
                           parent=product_variants.c.product_id)
"""``Product.variants``: a product's variants, by position unless sorted otherwise."""

PRODUCTS_REST = RestListing(
    products, equal={"vendor": products.c.vendor, "handle": products.c.handle, "title": products.c.title,
                     "product_type": products.c.product_type, "status": products.c.status},
    upper=frozenset({"status"}),
)
"""``GET products.json``: by id; ``vendor``, ``handle``, ``title``, ``product_type`` and ``status`` as Shopify's
REST filters (a comma-separated ``handle`` or ``status`` is any of them)."""


@dataclass(frozen=True)
class ProductParts:
    """A product's variants (by position), options (the default one for a product without any) and image media
    (by position): what a REST product embeds."""

    variants: list[Any]
    options: list[Any]
    images: list[Any]


def product_parts(conn: Connection, shop_id: int, product_ids: list[int]) -> dict[int, ProductParts]:
    """Each product's parts, in three queries whatever the number of products."""
    parts = {pid: ProductParts([], [], []) for pid in product_ids}
    if not product_ids:
        return parts
    for row in conn.execute(select(product_variants).where(product_variants.c.shop_id == shop_id,
                                                           product_variants.c.product_id.in_(product_ids))
                            .order_by(product_variants.c.position, product_variants.c.id)):
        parts[row.product_id].variants.append(row)
    for row in conn.execute(select(product_options).where(product_options.c.product_id.in_(product_ids))
                            .order_by(product_options.c.position)):
        parts[row.product_id].options.append(row)
    for row in conn.execute(media_query(shop_id).where(product_media.c.product_id.in_(product_ids),
                                                       product_media.c.media_content_type == "IMAGE")
                            .order_by(product_media.c.position, product_media.c.id)):
        parts[row.product_id].images.append(row)
    return parts


def variants_rest(product_id: int | None) -> RestListing:
    """``GET products/<id>/variants.json`` (a product's variants), or with no product every variant of the shop
    (``GET variants/<id>.json`` reads one)."""
    where = () if product_id is None else (product_variants.c.product_id == product_id,)
    return RestListing(product_variants, where=where)


def images_rest(product_id: int) -> RestListing:
    """``GET products/<id>/images.json``: a product's image media."""
    return RestListing(product_media, where=(product_media.c.product_id == product_id,
                                             product_media.c.media_content_type == "IMAGE"))
