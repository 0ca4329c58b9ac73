"""REST list reads: the filters Shopify's REST list endpoints share (``ids``, ``since_id``, ``created_at_min/max``,
``updated_at_min/max``, ``processed_at_min/max`` where rows have that time, a resource's own equality filters and
its word filters such as ``status=open``), ``order`` (``updated_at asc``; by id unless asked)
and keyset pages in (order, id), so a page stays right while rows change. The REST shaping lives in
``bulkops.rest``; the rows are read here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Select, Table, func, select

from bulkops.db.pagination import BadCursor, paginate

ORDERABLE = ("id", "created_at", "updated_at", "processed_at")
"""The ``order`` fields every REST list takes where its table has them."""


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
    processed_at_min: datetime | None = None
    processed_at_max: datetime | None = None
    equal: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    chosen: Mapping[str, str] = field(default_factory=dict)
    """The word each of the listing's ``choices`` was given (defaults filled in by the caller: a get by id
    passes none, so ``orders/<id>.json`` answers a closed order too)."""


@dataclass(frozen=True)
class RestChoice:
    """A filter that takes one of a few words (``status=open``), each a condition on the rows (None: every
    row, as ``any``), and the word taken when the request gives none."""

    values: Mapping[str, ColumnElement[bool] | None]
    default: str | None = None


@dataclass(frozen=True)
class RestCursor:
    """Where a page starts: after the row ``position`` names (``next``) or before it (``previous``)."""

    position: str
    direction: str


@dataclass(frozen=True)
class RestOrder:
    """``order=updated_at asc``: a field of ``ORDERABLE`` and its direction."""

    field: str = "id"
    descending: bool = False


@dataclass(frozen=True)
class RestPage:
    """A page's rows, whether pages lie on either side, and the positions of its first and last rows."""

    rows: list[Any]
    has_next: bool
    has_previous: bool
    first: str | None
    last: str | None


class InvalidPosition(ValueError):
    """A page position this server never gave."""


@dataclass(frozen=True)
class RestListing:
    """One REST list endpoint's rows: its table, the filters it compares to a column exactly (values as the
    column keeps them, after ``normalize``), and fixed conditions."""

    table: Table
    equal: Mapping[str, Column] = field(default_factory=dict)
    where: tuple[ColumnElement[bool], ...] = ()
    upper: frozenset[str] = frozenset()
    """Filters whose values the column keeps upper-case (``status=active`` is ``ACTIVE``)."""
    choices: Mapping[str, RestChoice] = field(default_factory=dict)

    def rows(self, shop_id: int, filters: RestFilters) -> Select:
        table = self.table
        stmt = select(table).where(table.c.shop_id == shop_id, *self.where)
        if filters.since_id is not None:
            stmt = stmt.where(table.c.id > filters.since_id)
        if filters.ids is not None:
            stmt = stmt.where(table.c.id.in_(filters.ids))
        for name, bound in (("created_at", (filters.created_at_min, filters.created_at_max)),
                            ("updated_at", (filters.updated_at_min, filters.updated_at_max)),
                            ("processed_at", (filters.processed_at_min, filters.processed_at_max))):
            stmt = _within(stmt, table.c.get(name), *bound)
        for name, values in filters.equal.items():
            column = self.equal.get(name)
            if column is not None:
                stmt = stmt.where(column.in_([v.upper() if name in self.upper else v for v in values]))
        for name, word in filters.chosen.items():
            condition = self.choices[name].values[word] if name in self.choices else None
            if condition is not None:
                stmt = stmt.where(condition)
        return stmt

    def page(self, conn: Connection, shop_id: int, filters: RestFilters, limit: int, order: RestOrder,
             cursor: RestCursor | None) -> RestPage:
        sort = self.table.c.get(order.field) if order.field in ORDERABLE else None
        return read_rest_page(conn, self.rows(shop_id, filters), sort if sort is not None else self.table.c.id,
                              self.table.c.id, limit, order.descending, cursor)

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


def read_rest_page(conn: Connection, stmt: Select, sort: Column, id_col: Column, limit: int, descending: bool,
                   cursor: RestCursor | None) -> RestPage:
    """``limit`` rows of ``stmt`` in (``sort``, id) order, from the start or from a cursor. A first page has no
    previous page, as Shopify's Link header shows."""
    backwards = cursor is not None and cursor.direction == "previous"
    position = cursor.position if cursor is not None else None
    try:
        page = paginate(conn, stmt, sort=sort, id_col=id_col, first=None if backwards else limit,
                        after=None if backwards else position, last=limit if backwards else None,
                        before=position if backwards else None, reverse=descending)
    except BadCursor as exc:
        raise InvalidPosition(str(exc)) from exc
    has_previous = page.has_previous_page if backwards else cursor is not None
    has_next = True if backwards else page.has_next_page
    return RestPage(page.rows, has_next, has_previous, page.start_cursor, page.end_cursor)
