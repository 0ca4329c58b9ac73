"""``collections``, ``Product.collections`` and ``Collection.products``: search fields, sort keys and a
collection's members in its own order, for the paginated resolvers and the bulk export alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Select, select

from bulkops.db.tables import collection_products, collections, products
from bulkops.domain.collections import rules
from bulkops.domain.listing import Listing, Search
from bulkops.domain.paging import Page, Window, read_page
from bulkops.domain.rest_paging import RestListing
from bulkops.domain.search_syntax import Term


def of_type(conn: Connection, shop_id: int, term: Term) -> Any:
    """``collection_type:smart`` (made by rules) or ``collection_type:custom`` (made by hand)."""
    if term.value.lower() == "smart":
        return collections.c.rule_set.isnot(None)
    return collections.c.rule_set.is_(None)


COLLECTION_SEARCH = Search(
    fields={"title": collections.c.title, "handle": collections.c.handle, "id": collections.c.id,
            "updated_at": collections.c.updated_at, "created_at": collections.c.created_at,
            "published_at": collections.c.published_at},
    default=collections.c.title,
    lookups={"collection_type": of_type},
)

COLLECTIONS = Listing(
    "Collection", collections,
    sort_keys={"ID": collections.c.id, "TITLE": collections.c.title, "UPDATED_AT": collections.c.updated_at},
    default_sort="ID", search=COLLECTION_SEARCH,
)


def member_sort(row: Any, sort_key: str | None) -> tuple[Column, bool]:
    """The column (and descending?) ordering ``Collection.products`` under a sort key; the default is the
    collection's own ``sortOrder``."""
    sort_key = sort_key or "COLLECTION_DEFAULT"
    if sort_key == "COLLECTION_DEFAULT":
        sort_key = {"ALPHA_ASC": "TITLE", "ALPHA_DESC": "TITLE_DESC", "CREATED": "CREATED",
                    "CREATED_DESC": "CREATED_DESC"}.get(row.sort_order, "MANUAL")
    custom = row.rule_set is None
    return {
        "TITLE": (products.c.title, False), "TITLE_DESC": (products.c.title, True),
        "CREATED": (products.c.created_at, False), "CREATED_DESC": (products.c.created_at, True),
        "ID": (products.c.id, False),
    }.get(sort_key, (collection_products.c.position if custom else products.c.id, False))


def members(conn: Connection, shop_id: int, row: Any) -> Select:
    """The collection's products (a custom one's with their ``position``), unordered."""
    if row.rule_set is None:
        return select(products, collection_products.c.position).join(
            collection_products, collection_products.c.product_id == products.c.id).where(
            collection_products.c.collection_id == row.id)
    return select(products).where(products.c.id.in_(rules.member_ids(conn, shop_id, row)))


def members_page(conn: Connection, shop_id: int, row: Any, window: Window) -> Page:
    """A page of ``Collection.products`` in the collection's order (or ``window``'s sort key)."""
    sort, descending = member_sort(row, window.sort_key)
    return read_page(conn, members(conn, shop_id, row), sort=sort, id_col=products.c.id, window=window,
                     descending_by_default=descending)


def product_collections(conn: Connection, shop_id: int, product_id: int, query: str | None) -> Select:
    """``Product.collections``: the collections the product is in (by hand or by rules), searched."""
    ids = rules.collection_ids_of_product(conn, shop_id, product_id)
    return COLLECTIONS.rows(conn, shop_id, {"query": query}).where(collections.c.id.in_(ids))


@dataclass(frozen=True)
class Members:
    """``Collection.products``: each collection's products in the collection's own order (manual, by title,
    by date…; a smart collection's computed from its rules)."""

    type_name: str = "Product"

    def of(self, conn: Connection, shop_id: int, row: Any, sort_key: str | None, reverse: bool) -> Select:
        """One collection's members, ordered, with their sort value labelled ``_bulk_sort``."""
        sort, descending = member_sort(row, sort_key)
        order = [sort.desc(), products.c.id.desc()] if descending != reverse else [sort.asc(), products.c.id.asc()]
        return members(conn, shop_id, row).add_columns(sort.label("_bulk_sort")).order_by(*order)


MEMBERS = Members()


CUSTOM_COLLECTIONS_REST = RestListing(
    collections, equal={"handle": collections.c.handle, "title": collections.c.title},
    where=(collections.c.rule_set.is_(None),),
)
"""``GET custom_collections.json``: the collections made by hand."""

SMART_COLLECTIONS_REST = RestListing(
    collections, equal={"handle": collections.c.handle, "title": collections.c.title},
    where=(collections.c.rule_set.isnot(None),),
)
"""``GET smart_collections.json``: the collections made by rules."""
