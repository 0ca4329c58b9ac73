"""REST list reads: the filters Shopify's REST list endpoints share (``ids``, ``since_id``, ``created_at_min/max``,
``updated_at_min/max`` and a resource's own equality filters) and keyset pages by id, the order Shopify's
cursor-paginated REST endpoints use. The REST shaping lives in ``bulkops.rest``; the rows are read here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Select, Table, func, select


@dataclass(frozen=True)
class RestFilters:
    """What a REST list narrows by; times are naive UTC, as stored. ``equal`` maps a resource's filter to the
    values it accepts (a comma-separated parameter is any of them)."""

    since_id: int | None = None
    ids: tuple[int, ...] | None = None
    created_at_min: datetime | None = None
    created_at_max: datetime | None = None
    updated_at_min: datetime | None = None
    updated_at_max: datetime | None = None
    equal: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class RestCursor:
    """Where a page starts: after ``last_id`` (``next``) or before it (``previous``)."""

    last_id: int
    direction: str


@dataclass(frozen=True)
class RestPage:
    rows: list[Any]
    has_next: bool
    has_previous: bool


@dataclass(frozen=True)
class RestListing:
    """One REST list endpoint's rows: its table, the filters it compares to a column exactly (values as the
    column keeps them, after ``normalize``), and fixed conditions."""

    table: Table
    equal: Mapping[str, Column] = field(default_factory=dict)
    where: tuple[ColumnElement[bool], ...] = ()
    upper: frozenset[str] = frozenset()
    """Filters whose values the column keeps upper-case (``status=active`` is ``ACTIVE``)."""

    def rows(self, shop_id: int, filters: RestFilters) -> Select:
        table = self.table
        stmt = select(table).where(table.c.shop_id == shop_id, *self.where)
        if filters.since_id is not None:
            stmt = stmt.where(table.c.id > filters.since_id)
        if filters.ids is not None:
            stmt = stmt.where(table.c.id.in_(filters.ids))
        for name, bound in (("created_at", (filters.created_at_min, filters.created_at_max)),
                            ("updated_at", (filters.updated_at_min, filters.updated_at_max))):
            stmt = _within(stmt, table.c.get(name), *bound)
        for name, values in filters.equal.items():
            column = self.equal.get(name)
            if column is not None:
                stmt = stmt.where(column.in_([v.upper() if name in self.upper else v for v in values]))
        return stmt

    def page(self, conn: Connection, shop_id: int, filters: RestFilters, limit: int,
             cursor: RestCursor | None) -> RestPage:
        return read_rest_page(conn, self.rows(shop_id, filters), self.table.c.id, limit, cursor)

    def count(self, conn: Connection, shop_id: int, filters: RestFilters) -> int:
        stmt = self.rows(shop_id, filters).with_only_columns(func.count()).order_by(None)
        return int(conn.execute(stmt).scalar() or 0)

    def one(self, conn: Connection, shop_id: int, number: int) -> Any | None:
        return conn.execute(self.rows(shop_id, RestFilters(ids=(number,)))).first()


def _within(stmt: Select, column: Column | None, low: datetime | None, high: datetime | None) -> Select:
    """Shopify's ``*_min``/``*_max``: on or after, on or before (a column the table lacks filters nothing)."""
    if column is None:
        return stmt
    if low is not None:
        stmt = stmt.where(column >= low)
    if high is not None:
        stmt = stmt.where(column <= high)
    return stmt


def read_rest_page(conn: Connection, stmt: Select, id_col: Column, limit: int, cursor: RestCursor | None) -> RestPage:
    """``limit`` rows of ``stmt`` by id, from the start or from a cursor; one row more is read to know whether
    another page follows. A first page has no previous page, as Shopify's Link header shows."""
    if cursor is None or cursor.direction == "next":
        if cursor is not None:
            stmt = stmt.where(id_col > cursor.last_id)
        rows = list(conn.execute(stmt.order_by(id_col).limit(limit + 1)))
        return RestPage(rows[:limit], len(rows) > limit, cursor is not None)
    rows = list(conn.execute(stmt.where(id_col < cursor.last_id).order_by(id_col.desc()).limit(limit + 1)))
    return RestPage(rows[:limit][::-1], True, len(rows) > limit)
