"""The ``locations`` root connection: its search filters and sort keys (queries and exports alike); pages of
it and of an item's levels (``InventoryItem.inventoryLevels``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, select

from bulkops.db.pagination import BadCursor, decode_cursor, encode_cursor
from bulkops.db.tables import locations
from bulkops.domain.inventory.rules import Level, item_levels
from bulkops.domain.listing import apply_search
from bulkops.domain.paging import Page, Window, invalid_cursor, read_page

LOCATION_SEARCH = {"id": locations.c.id, "location_id": locations.c.id, "name": locations.c.name,
                   "created_at": locations.c.created_at, "updated_at": locations.c.updated_at}
LOCATION_SORT: dict[str, Any] = {"ID": locations.c.id, "NAME": locations.c.name, "RELEVANCE": locations.c.id}


def locations_query(shop_id: int, query: str | None, include_inactive: bool) -> Select:
    stmt = select(locations).where(locations.c.shop_id == shop_id)
    if not include_inactive:
        stmt = stmt.where(locations.c.is_active.is_(True))
    return apply_search(stmt, query, LOCATION_SEARCH, locations.c.name)


def locations_page(conn: Connection, shop_id: int, query: str | None, include_inactive: bool,
                   window: Window) -> Page:
    """A page of the shop's locations (active ones only unless ``include_inactive``)."""
    sort = LOCATION_SORT.get(window.sort_key or "", LOCATION_SORT["ID"])
    return read_page(conn, locations_query(shop_id, query, include_inactive), sort=sort, id_col=locations.c.id,
                     window=window)


def item_levels_page(conn: Connection, shop_id: int, item_id: int, window: Window) -> Page:
    """A page of the item's levels (a few per item: paged in memory), by location id; a level's cursor names
    its location."""
    levels = item_levels(conn, shop_id, item_id)
    levels = levels[::-1] if window.reverse else levels
    ids = [level.location_id for level in levels]
    try:
        start = ids.index(decode_cursor(window.after)["last_id"]) + 1 if window.after else 0
        end = ids.index(decode_cursor(window.before)["last_id"]) if window.before else len(levels)
    except (BadCursor, ValueError) as exc:
        raise invalid_cursor(exc) from exc
    between = levels[start:end]
    shown = _shown(between, window)
    more = len(between) > len(shown)
    return Page(shown, window.first is not None and more, window.last is not None and more,
                [encode_cursor(level.location_id) for level in shown])


def _shown(levels: list[Level], window: Window) -> list[Level]:
    if window.first is not None:
        return levels[:window.first]
    return levels[max(0, len(levels) - (window.last or 0)):]
