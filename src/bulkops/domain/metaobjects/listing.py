"""``metaobjects(type:)`` and ``MetaobjectDefinition.metaobjects``: search fields, sort keys, pages, count."""

from __future__ import annotations

from sqlalchemy import Connection, Select, func, select

from bulkops.db.tables import metaobjects
from bulkops.domain.listing import apply_search
from bulkops.domain.paging import Page, Window, read_page

SEARCH = {"handle": metaobjects.c.handle, "id": metaobjects.c.id, "updated_at": metaobjects.c.updated_at,
          "created_at": metaobjects.c.created_at}
SORT = {"id": metaobjects.c.id, "type": metaobjects.c.type, "updated_at": metaobjects.c.updated_at,
        "created_at": metaobjects.c.created_at, "handle": metaobjects.c.handle}


def _page(conn: Connection, stmt: Select, window: Window) -> Page:
    """Sort keys are matched without regard to case (``sortKey`` is a free string here)."""
    sort = SORT.get((window.sort_key or "id").lower(), metaobjects.c.id)
    return read_page(conn, stmt, sort=sort, id_col=metaobjects.c.id, window=window)


def metaobjects_page(conn: Connection, shop_id: int, type_name: str, query: str | None, window: Window) -> Page:
    """A page of the shop's metaobjects of one type."""
    stmt = select(metaobjects).where(metaobjects.c.shop_id == shop_id, metaobjects.c.type == type_name)
    return _page(conn, apply_search(stmt, query, SEARCH, metaobjects.c.handle), window)


def definition_metaobjects_page(conn: Connection, shop_id: int, definition_id: int, window: Window) -> Page:
    """A page of one definition's metaobjects, in id order."""
    stmt = select(metaobjects).where(metaobjects.c.shop_id == shop_id, metaobjects.c.definition_id == definition_id)
    return _page(conn, stmt, window)


def metaobjects_count(conn: Connection, definition_id: int) -> int:
    return int(conn.execute(select(func.count()).select_from(metaobjects).where(
        metaobjects.c.definition_id == definition_id)).scalar_one())
