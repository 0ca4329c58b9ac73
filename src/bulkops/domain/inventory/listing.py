"""The ``locations`` root connection: its search filters and sort keys (queries and exports alike); pages of
it and of an item's levels (``InventoryItem.inventoryLevels``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from bulkops.db.pagination import BadCursor, decode_cursor, encode_cursor
from bulkops.db.tables import locations, product_variants
from bulkops.domain.inventory.rules import Level, item_levels, levels_of_items
from bulkops.domain.listing import apply_search, time_matches
from bulkops.domain.paging import Page, Window, invalid_cursor, read_page
from bulkops.domain.rest_paging import RestListing
from bulkops.domain.search_syntax import AllOf, AnyOf, Query, Term, parse_query

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


def levels_at_locations(conn: Connection, shop_id: int, location_ids: list[int]) -> dict[int, list[Level]]:
    """Each location's levels, by item id (``Location.inventoryLevels`` in an export). Every item of the shop is
    read, ``_ITEMS_PER_READ`` at a time: a level is computed per item, not stored per location."""
    wanted = set(location_ids)
    found: dict[int, list[Level]] = {location_id: [] for location_id in location_ids}
    item = product_variants.c.id
    stmt = select(item).where(product_variants.c.shop_id == shop_id).order_by(item)
    offset = 0
    while ids := list(conn.execute(stmt.limit(_ITEMS_PER_READ).offset(offset)).scalars()):
        offset += len(ids)
        for levels in levels_of_items(conn, shop_id, ids).values():
            for level in levels:
                if level.location_id in wanted:
                    found[level.location_id].append(level)
    return found


LEVEL_TIMES = {"created_at": "created_at", "updated_at": "updated_at"}


def level_filter(query: str | None) -> Callable[[Level], bool]:
    """The ``query:`` of an inventory levels connection as a test of one level: ``created_at``, ``updated_at``
    and ``inventory_item_id`` terms, joined by AND/OR. Terms on other fields keep every level (UNCONFIRMED:
    Shopify documents ``inventory_group_id`` too, which bulkops has no notion of)."""
    tree = parse_query(query)
    return lambda level: tree is None or _holds(tree, level)


def _holds(node: Query, level: Level) -> bool:
    if isinstance(node, AllOf):
        return all(_holds(part, level) for part in node.parts)
    if isinstance(node, AnyOf):
        return any(_holds(part, level) for part in node.parts)
    return _term_holds(node, level)


def _term_holds(term: Term, level: Level) -> bool:
    if term.field in LEVEL_TIMES:
        return time_matches(getattr(level, LEVEL_TIMES[term.field]), term)
    if term.field == "inventory_item_id":
        return (term.value.rsplit("/", 1)[-1] == str(level.item_id)) != term.negated
    return True


def _shown(levels: list[Level], window: Window) -> list[Level]:
    if window.first is not None:
        return levels[:window.first]
    return levels[max(0, len(levels) - (window.last or 0)):]


LOCATIONS_REST = RestListing(locations)
"""``GET locations.json``: every location of the shop, active or not (``active`` says which), by id."""

LevelKey = tuple[int, int]
"""A level's place in the REST order: (inventory item id, location id)."""

_ITEMS_PER_READ = 500


@dataclass(frozen=True)
class LevelFilters:
    """``GET inventory_levels.json``: the items and/or locations asked for, and ``updated_at_min``."""

    item_ids: tuple[int, ...] | None
    location_ids: tuple[int, ...] | None
    updated_at_min: datetime | None = None

    def keeps(self, level: Level) -> bool:
        return ((self.location_ids is None or level.location_id in self.location_ids)
                and (self.updated_at_min is None or level.updated_at >= self.updated_at_min))


def rest_levels_page(conn: Connection, shop_id: int, filters: LevelFilters, limit: int,
                     after: LevelKey | None = None, before: LevelKey | None = None) -> tuple[list[Level], bool, bool]:
    """``limit`` levels by (item, location), after or before a key; with whether a next and a previous page
    exist. Items are read a batch at a time, so a shop's whole inventory is never held at once."""
    backwards = before is not None
    found: list[Level] = []
    for level in _levels_in_order(conn, shop_id, filters, after or before, backwards):
        found.append(level)
        if len(found) > limit:
            break
    more = len(found) > limit
    shown = found[:limit]
    if backwards:
        return shown[::-1], True, more
    return shown, more, after is not None


def _levels_in_order(conn: Connection, shop_id: int, filters: LevelFilters, start: LevelKey | None,
                     backwards: bool) -> Iterator[Level]:
    item = product_variants.c.id
    stmt = select(item).where(product_variants.c.shop_id == shop_id)
    if filters.item_ids is not None:
        stmt = stmt.where(item.in_(filters.item_ids))
    if start is not None:
        stmt = stmt.where(item <= start[0] if backwards else item >= start[0])
    stmt = stmt.order_by(item.desc() if backwards else item)
    offset = 0
    while True:
        ids = list(conn.execute(stmt.limit(_ITEMS_PER_READ).offset(offset)).scalars())
        if not ids:
            return
        offset += len(ids)
        levels = levels_of_items(conn, shop_id, ids)
        for item_id in ids:
            for level in (levels.get(item_id, [])[::-1] if backwards else levels.get(item_id, [])):
                key = (level.item_id, level.location_id)
                if start is not None and (key >= start if backwards else key <= start):
                    continue
                if filters.keeps(level):
                    yield level
