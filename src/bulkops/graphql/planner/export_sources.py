"""Where each exportable connection's rows come from: one SQL listing per connection field, with the same
filters, sort keys and presenters as the normal (paginated) resolvers, so an export says what a query says.

A listing is read in keyset batches (top level) or for a batch of parents at once (nested connections).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, DateTime, Select, String, func, literal, select

from bulkops.db import tables
from bulkops.domain.collections import rules as collection_rules
from bulkops.domain.listing import apply_search
from bulkops.graphql.bindings.collections import (
    COLLECTION_SEARCH,
    COLLECTION_SORT,
    _collection_type_filter,
    _member_sort,
    present_collection,
)
from bulkops.graphql.bindings.customers import CUSTOMER_SEARCH, CUSTOMER_SORT, present_customer
from bulkops.graphql.bindings.metafields import present_metafield
from bulkops.graphql.bindings.products import (
    PRODUCT_SEARCH,
    PRODUCT_SORT,
    VARIANT_SORT,
    present_product,
    present_variant,
)

Presenter = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Plain:
    """A field that is one column of the row, as the presenter gives it: the column's value, or its ``gid``
    (``gid://shopify/<Type>/<value>``), ``text`` (``str``) or ``time`` (Shopify's DateTime) form."""

    column: str
    form: str = "value"


Direct = dict[str, Plain]
"""Field name -> its column, for the hottest plain fields; each must equal what the presenter and graphql-core
give (tests/engine/test_export_format.py compares them field by field)."""


def _common() -> Direct:
    return {"id": Plain("id", "gid"), "legacyResourceId": Plain("id", "text"),
            "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time")}


def _columns(**fields: str) -> Direct:
    return {name: Plain(column) for name, column in fields.items()}


PRODUCT_DIRECT: Direct = {
    **_common(), **_columns(title="title", handle="handle", vendor="vendor", productType="product_type",
                            status="status", tags="tags", descriptionHtml="description_html",
                            templateSuffix="template_suffix", isGiftCard="gift_card"),
    "publishedAt": Plain("published_at", "time"),
}
VARIANT_DIRECT: Direct = {
    **_common(), **_columns(title="title", sku="sku", price="price", compareAtPrice="compare_at_price",
                            barcode="barcode", position="position", taxable="taxable",
                            inventoryQuantity="inventory_quantity", inventoryPolicy="inventory_policy"),
}
CUSTOMER_DIRECT: Direct = {
    **_common(), **_columns(firstName="first_name", lastName="last_name", email="email", phone="phone", note="note",
                            tags="tags", state="state", verifiedEmail="verified_email", taxExempt="tax_exempt",
                            locale="locale"),
}
METAFIELD_DIRECT: Direct = {
    **_common(), **_columns(namespace="namespace", key="key", value="value", type="type"),
}


@dataclass(frozen=True)
class Listing:
    """A shop-scoped SELECT of one connection's rows; ``_bulk_sort`` (and ``_bulk_parent`` for nested ones)
    are labelled in it so batches can continue after a row and children can be grouped by parent."""

    stmt: Select
    id_col: Column
    sort: ColumnElement
    descending: bool
    type_name: str
    present: Presenter
    direct: Direct
    parent: ColumnElement | None = None
    members: Callable[[Connection, list[int]], dict[int, list[Any]]] | None = None
    """For a nested connection whose order differs per parent (a collection's products): rows per parent key."""


ListingBuilder = Callable[[int, dict[str, Any]], Listing]
"""(shop id, the connection field's coerced arguments) -> its listing."""


EARLIEST = datetime(1, 1, 1)


def _sort_expr(column: Column) -> ColumnElement:
    """Nullable sorts compare as their smallest value (text as '', a product's publishedAt as year 1, first
    like SQLite's NULLs): a keyset after a NULL would otherwise match nothing and end the export early."""
    if column.nullable and isinstance(column.type, String):
        return func.coalesce(column, "")
    if column.nullable and isinstance(column.type, DateTime):
        return func.coalesce(column, literal(EARLIEST, DateTime))
    return column


def _listing(base: Select, id_col: Column, sort_col: Column, reverse: bool, type_name: str, present: Presenter,
             direct: Direct, parent: ColumnElement | None = None) -> Listing:
    sort = _sort_expr(sort_col)
    columns: list[ColumnElement] = [sort.label("_bulk_sort")]
    if parent is not None:
        columns.append(parent.label("_bulk_parent"))
    return Listing(base.add_columns(*columns), id_col, sort, reverse, type_name, present, direct, parent)


def products_root(shop_id: int, args: dict[str, Any]) -> Listing:
    p = tables.products
    base = apply_search(select(p).where(p.c.shop_id == shop_id), args.get("query"), PRODUCT_SEARCH, p.c.title)
    return _listing(base, p.c.id, PRODUCT_SORT.get(args.get("sortKey") or "ID", p.c.id), bool(args.get("reverse")),
                    "Product", present_product, PRODUCT_DIRECT)


VARIANT_SEARCH = {"sku": tables.product_variants.c.sku, "title": tables.product_variants.c.title,
                  "barcode": tables.product_variants.c.barcode, "product_id": tables.product_variants.c.product_id}


def variants_root(shop_id: int, args: dict[str, Any]) -> Listing:
    v = tables.product_variants
    base = apply_search(select(v).where(v.c.shop_id == shop_id), args.get("query"), VARIANT_SEARCH, v.c.title)
    return _listing(base, v.c.id, VARIANT_SORT.get(args.get("sortKey") or "ID", v.c.id), bool(args.get("reverse")),
                    "ProductVariant", present_variant, VARIANT_DIRECT)


def customers_root(shop_id: int, args: dict[str, Any]) -> Listing:
    c = tables.customers
    base = apply_search(select(c).where(c.c.shop_id == shop_id), args.get("query"), CUSTOMER_SEARCH, c.c.email)
    return _listing(base, c.c.id, CUSTOMER_SORT.get(args.get("sortKey") or "ID", c.c.id), bool(args.get("reverse")),
                    "Customer", present_customer, CUSTOMER_DIRECT)


def product_variants(shop_id: int, args: dict[str, Any]) -> Listing:
    v = tables.product_variants
    sort = VARIANT_SORT.get(args.get("sortKey") or "POSITION", v.c.position)
    return _listing(select(v).where(v.c.shop_id == shop_id), v.c.id, sort, bool(args.get("reverse")),
                    "ProductVariant", present_variant, VARIANT_DIRECT, v.c.product_id)


def owned_metafields(owner_type: str) -> ListingBuilder:
    def build(shop_id: int, args: dict[str, Any]) -> Listing:
        m = tables.metafields
        base = select(m).where(m.c.shop_id == shop_id, m.c.owner_type == owner_type)
        if args.get("namespace"):
            base = base.where(m.c.namespace == args["namespace"])
        if args.get("keys"):
            base = base.where((m.c.namespace + "." + m.c.key).in_(args["keys"]))
        return _listing(base, m.c.id, m.c.id, bool(args.get("reverse")), "Metafield", present_metafield, METAFIELD_DIRECT,
                        m.c.owner_id)

    return build


def collections_root(shop_id: int, args: dict[str, Any]) -> Listing:
    c = tables.collections
    base = apply_search(select(c).where(c.c.shop_id == shop_id), args.get("query"), COLLECTION_SEARCH, c.c.title)
    base = _collection_type_filter(base, args.get("query"))
    return _listing(base, c.c.id, COLLECTION_SORT.get(args.get("sortKey") or "ID", c.c.id), bool(args.get("reverse")),
                    "Collection", present_collection, {})


def collection_products(shop_id: int, args: dict[str, Any]) -> Listing:
    """A collection's products in the collection's own order (manual, by title, by date…; smart collections
    computed from their rules), as the ``Collection.products`` resolver orders them."""
    p, cp, c = tables.products, tables.collection_products, tables.collections
    sort_key, reverse = args.get("sortKey") or "COLLECTION_DEFAULT", bool(args.get("reverse"))

    def members(conn: Connection, parent_keys: list[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for row in conn.execute(select(c).where(c.c.shop_id == shop_id, c.c.id.in_(parent_keys))):
            sort, descending = _member_sort(row, sort_key)
            descending = descending != reverse
            if row.rule_set is None:
                stmt = select(p, cp.c.position, sort.label("_bulk_sort")).join(cp, cp.c.product_id == p.c.id).where(
                    cp.c.collection_id == row.id)
            else:
                stmt = select(p, sort.label("_bulk_sort")).where(
                    p.c.id.in_(collection_rules.member_ids(conn, shop_id, row)))
            order = [sort.desc(), p.c.id.desc()] if descending else [sort.asc(), p.c.id.asc()]
            found[row.id] = list(conn.execute(stmt.order_by(*order)))
        return found

    listing = _listing(select(p).where(p.c.shop_id == shop_id), p.c.id, p.c.id, reverse, "Product", present_product,
                       PRODUCT_DIRECT)
    return Listing(listing.stmt, listing.id_col, listing.sort, listing.descending, listing.type_name, listing.present,
                   listing.direct, members=members)


SOURCES: dict[tuple[str, str], ListingBuilder] = {
    ("QueryRoot", "collections"): collections_root,
    ("Collection", "products"): collection_products,
    ("Collection", "metafields"): owned_metafields("Collection"),
    ("QueryRoot", "products"): products_root,
    ("QueryRoot", "productVariants"): variants_root,
    ("QueryRoot", "customers"): customers_root,
    ("Product", "variants"): product_variants,
    ("Product", "metafields"): owned_metafields("Product"),
    ("ProductVariant", "metafields"): owned_metafields("ProductVariant"),
    ("Customer", "metafields"): owned_metafields("Customer"),
}


def source_for(parent_type: str, field_name: str) -> ListingBuilder | None:
    return SOURCES.get((parent_type, field_name))
