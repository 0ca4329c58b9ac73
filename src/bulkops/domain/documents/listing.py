"""The nodes of a type that has no table of its own, listed from their documents: a root connection (``draftOrders``)
by id, its ``query:`` on ``created_at``/``updated_at``/``id`` (the document's own fields) and its sort keys; a
nested connection (``DraftOrder.lineItems``) by the ``__parentId`` each line was loaded with, in the file's order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Select, String, cast, select

from bulkops.db.tables import node_documents
from bulkops.domain.listing import Arguments, Search
from bulkops.protocol.ids import parse_gid

d = node_documents.c

STORED_TYPES = frozenset({
    "Product", "ProductVariant", "ProductOption", "Collection", "Customer", "Metafield", "Metaobject",
    "MetaobjectDefinition", "GiftCard", "PriceList", "Publication", "MarketingActivity", "MarketingEngagement",
    "Location", "InventoryItem", "InventoryLevel", "MediaImage", "Video", "ExternalVideo", "Model3d", "Image",
    "StoreCreditAccount", "StoreCreditAccountCreditTransaction", "StoreCreditAccountDebitTransaction", "Shop",
    "BulkOperation", "WebhookSubscription", "InventoryAdjustmentGroup", "Order", "LineItem", "ShippingLine",
    "OrderTransaction",
})
"""The types whose nodes live in the domain's own tables (each answered there, never from documents alone)."""

SEARCH = Search(fields={"created_at": d.created_at, "updated_at": d.updated_at, "id": d.number},
                default=cast(d.document, String))
"""``query:`` on a type kept as documents: the dates and id every node has (a bare word: anywhere in it)."""

SORT_KEYS: dict[str, Column] = {"ID": d.number, "CREATED_AT": d.created_at, "UPDATED_AT": d.updated_at}


def present_node(row: Any) -> dict[str, Any]:
    """A node kept only as its document: its fields as loaded (queries and exports alike)."""
    return {**row.document, "__typename": row.typename}


def from_documents(type_name: str) -> bool:
    """Whether a type's nodes are listed from their documents (it has no table of its own)."""
    return type_name not in STORED_TYPES


def _columns() -> list[Any]:
    """A node's row: ``id`` its number (the keyset and the cursors), its gid, type and document."""
    return [d.number.label("id"), d.number, d.gid, d.typename, d.document, d.created_at, d.updated_at, d.position]


def nodes_of_type(conn: Connection, shop_id: int, type_name: str, args: Arguments) -> Select:
    """A root connection's nodes, narrowed by its ``query:``."""
    stmt = select(*_columns()).where(d.shop_id == shop_id, d.typename == type_name)
    return SEARCH.narrow(conn, shop_id, stmt, args.get("query"))


def sort_of(args: Arguments) -> Column:
    """The ``sortKey:`` column (by id unless ``CREATED_AT``/``UPDATED_AT``)."""
    return SORT_KEYS.get(args.get("sortKey") or "ID", d.number)


def children_of_type(shop_id: int, type_name: str | None, parent_type: str) -> Select:
    """A nested connection's nodes for every parent of ``parent_type`` (``parent_number`` names the parent);
    ``type_name`` None: any type (an interface's connection)."""
    stmt = select(*_columns()).where(d.shop_id == shop_id, d.parent_type == parent_type)
    return stmt if type_name is None else stmt.where(d.typename == type_name)


POSITION = d.position
PARENT = d.parent_number
NUMBER = d.number


def node_of_type(conn: Connection, shop_id: int, type_name: str, number: int) -> dict[str, Any] | None:
    """One node of a type kept as documents (``draftOrder(id:)``, ``node(id:)``), presented; None when not loaded."""
    row = conn.execute(select(*_columns()).where(d.shop_id == shop_id, d.typename == type_name,
                                                 d.number == number)).first()
    return None if row is None else present_node(row)


def children_of_node(shop_id: int, parent_gid: str, type_name: str | None) -> Select:
    """The nodes loaded under one parent (``DraftOrder.lineItems`` of one draft order)."""
    parent_type, number = parse_gid(parent_gid)
    stmt = select(*_columns()).where(d.shop_id == shop_id, d.parent_type == parent_type, d.parent_number == number)
    return stmt if type_name is None else stmt.where(d.typename == type_name)
