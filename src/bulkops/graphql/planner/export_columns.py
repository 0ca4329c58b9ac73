"""The export hot path: a connection whose selected fields are all plain columns (``domain.fields.Plain``),
read with the database driver.

Its SQL is compiled once per export with only the columns the selection needs, runs on the raw DBAPI cursor
(no SQLAlchemy per row) and every stored value is converted once, by its field's own converter: SQLite's
DateTime text sliced into Shopify's form, JSON decoded with orjson, the rest by the column type's own result
processor. Rows are plain tuples ``(id, sort value[, parent key], selected columns…)``; a keyset continues
after a row with its stored sort value, so nothing is converted twice.

Only for SQLite (the embedded default): other databases keep SQLAlchemy Core rows (export_plan.PlanConnection).
Output equals the presenters' field by field (tests/engine/test_export_format.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BindParameter,
    Column,
    Connection,
    DateTime,
    Dialect,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    func,
    select,
)

from bulkops.db.pagination import after_row, keyset_order
from bulkops.domain.fields import Plain, form_of, source_reader
from bulkops.graphql.planner.export_sources import Listing

Row = tuple[Any, ...]
Convert = Callable[[Any], Any]
Field = tuple[str, Plain | None]
"""A response key and its column; None for ``__typename``."""

ID, SORT, PARENT = 0, 1, 2


# ---- reading one field ------------------------------------------------------------------------------
def row_reader(plain: Plain, type_name: str) -> Callable[[Any], Any]:
    """A plain field read from a SQLAlchemy Core row."""
    return source_reader(type_name, plain)


def _sqlite_time(stored: str | None) -> str | None:
    """'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite DateTime text) -> 'YYYY-MM-DDTHH:MM:SSZ', as iso_z."""
    return None if stored is None else stored[:10] + "T" + stored[11:19] + "Z"


def _json(stored: str | None) -> Any:
    return None if stored is None else orjson.loads(stored)


def stored_converter(plain: Plain, column: Column, dialect: Dialect, type_name: str) -> Convert | None:
    """A plain field from the value the driver returns for its column (None: use it as it is)."""
    if plain.form == "time" and isinstance(column.type, DateTime) and dialect.name == "sqlite":
        return _sqlite_time
    if isinstance(column.type, JSON):
        load: Convert | None = _json
    else:
        load = column.type.dialect_impl(dialect).result_processor(dialect, None)
    form = form_of(plain, type_name)
    if load is None or form is None:
        return form or load
    return lambda stored: None if stored is None else form(load(stored))


# ---- SQL compiled once ------------------------------------------------------------------------------
_OWN = {"after_sort", "after_id", "key", "parents", "limit"}
"""Parameters given per execution, as stored values; every other parameter is a literal of the listing."""


class DriverStatement:
    """A statement compiled once for the connection's dialect, run on the DBAPI cursor."""

    def __init__(self, stmt: Select, dialect: Dialect, rowid_walk: Table | None = None) -> None:
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql = compiled.string
        if rowid_walk is not None:
            self.sql = _not_indexed(self.sql, dialect.identifier_preparer.format_table(rowid_walk))
        values = compiled.params
        self.slots: list[tuple[str | None, Any]] = []
        for name in compiled.positiontup or ():
            if name in _OWN:
                self.slots.append((name, None))
                continue
            process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            self.slots.append((None, process(values[name]) if process else values[name]))

    def rows(self, conn: Connection, **own: Any) -> list[Row]:
        params = [own[name] if name is not None else value for name, value in self.slots]
        cursor = conn.connection.cursor()
        try:
            cursor.execute(self.sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()


def _per_run(name: str, type_: Any = None) -> BindParameter[Any]:
    """A parameter given per execution (one of ``_OWN``). Its placeholder value lets a statement compile whose
    other values are written into the SQL (``literal_execute``, as a smart collection's members)."""
    return bindparam(name, None, type_=type_)


class DriverListing:
    """A listing's statements over only the selected columns: keyset pages, one row by key, a batch's children."""

    def __init__(self, listing: Listing, columns: Sequence[Column], dialect: Dialect) -> None:
        heads = [listing.id_col, listing.sort.label("_bulk_sort")]
        if listing.parent is not None:
            heads.append(listing.parent.label("_bulk_parent"))
        narrow = listing.stmt.with_only_columns(*heads, *columns)
        sort, id_col = listing.sort, listing.id_col
        order = keyset_order(sort, id_col, listing.descending)
        after_id: BindParameter[Any] = _per_run("after_id")
        after = after_row(sort, id_col, after_id, _per_run("after_sort"), listing.descending)
        after_null = after_row(sort, id_col, after_id, None, listing.descending)
        limit = _per_run("limit", Integer)
        walk = id_col.table if sort is id_col and dialect.name == "sqlite" else None
        self.first = DriverStatement(narrow.order_by(*order).limit(limit), dialect, walk)
        self.next = DriverStatement(narrow.where(after).order_by(*order).limit(limit), dialect, walk)
        self.next_after_null = DriverStatement(narrow.where(after_null).order_by(*order).limit(limit), dialect, walk)
        self.by_key = DriverStatement(narrow.where(id_col == _per_run("key")), dialect)
        self.children = None
        if listing.parent is not None:
            keys = func.json_each(_per_run("parents", String)).table_valued("value")
            self.children = DriverStatement(narrow.where(listing.parent.in_(select(keys.c.value))).order_by(*order),
                                            dialect)


def _not_indexed(sql: str, table: str) -> str:
    """Pages in primary-key order walk SQLite's rowid from the keyset on. Without statistics SQLite prefers
    the (shop_id, handle) index for ``shop_id = ?`` and then sorts all of the shop's rows for every page
    (25x slower per page at 100,000 products, and quadratic in the export's size). SQLAlchemy renders no
    table hints for SQLite, hence the text."""
    return re.sub(rf"\bFROM {re.escape(table)}(?=\s)", f"FROM {table} NOT INDEXED", sql, count=1)


# ---- the connection ---------------------------------------------------------------------------------
class DriverConnection:
    """One connection of the plan read through the driver: same protocol as export_plan.PlanConnection."""

    def __init__(self, listing: Listing, fields: list[Field], children: list[Any]) -> None:
        self.listing = listing
        self.fields = fields
        self.children = children
        self._prefix = f"gid://shopify/{listing.type_name}/"
        self._compiled: DriverListing | None = None
        self._shape: Callable[[Row], dict[str, Any]] | None = None

    def _ready(self, conn: Connection) -> DriverListing:
        if self._compiled is None:
            self._compile(conn.dialect)
        assert self._compiled is not None
        return self._compiled

    def _compile(self, dialect: Dialect) -> None:
        table = self.listing.id_col.table
        first = 3 if self.listing.parent is not None else 2
        names: list[str] = []
        plan: list[tuple[str, int, Convert | None, Any]] = []
        for key, plain in self.fields:
            if plain is None:
                plan.append((key, -1, None, self.listing.type_name))
                continue
            if plain.column not in names:
                names.append(plain.column)
            index = first + names.index(plain.column)
            converter = stored_converter(plain, table.c[plain.column], dialect, self.listing.type_name)
            plan.append((key, index, converter, None))
        self._compiled = DriverListing(self.listing, [table.c[name] for name in names], dialect)
        self._shape = _shaper(plan)

    def key(self, row: Row) -> int:
        return row[ID]

    def gid(self, row: Row) -> str:
        return self._prefix + str(row[ID])

    def shape(self, conn: Connection, rows: list[Row]) -> list[dict[str, Any]]:
        self._ready(conn)
        shape = self._shape
        assert shape is not None
        return [shape(row) for row in rows]

    def children_of(self, conn: Connection, parent_keys: list[int]) -> dict[int, list[Row]]:
        statement = self._ready(conn).children
        assert statement is not None
        found: dict[int, list[Row]] = defaultdict(list)
        for row in statement.rows(conn, parents=orjson.dumps(parent_keys).decode()):
            found[row[PARENT]].append(row)
        return found

    def page(self, conn: Connection, after: Row | None, limit: int) -> list[Row]:
        compiled = self._ready(conn)
        if after is None:
            return compiled.first.rows(conn, limit=limit)
        if after[SORT] is None:  # a null sort value sorts first (or last): another condition than a value's
            return compiled.next_after_null.rows(conn, after_id=after[ID], limit=limit)
        return compiled.next.rows(conn, after_sort=after[SORT], after_id=after[ID], limit=limit)

    def row_by_key(self, conn: Connection, key: int) -> Row | None:
        found = self._ready(conn).by_key.rows(conn, key=key)
        return found[0] if found else None

    def bind(self, context_for: Any) -> DriverConnection:
        for child in self.children:
            child.bind(context_for)
        return self


def _shaper(plan: list[tuple[str, int, Convert | None, Any]]) -> Callable[[Row], dict[str, Any]]:
    """Row tuple -> the object's dict, keys in selection order: one generated dict display per connection,
    e.g. ``lambda row: {"id": c0(row[0]), "title": row[3]}`` (twice as fast as a loop over the fields)."""
    names: dict[str, Any] = {}
    items = []
    for number, (key, index, convert, constant) in enumerate(plan):
        if index < 0:
            names[f"k{number}"] = constant
            value = f"k{number}"
        elif convert is None:
            value = f"row[{index}]"
        else:
            names[f"c{number}"] = convert
            value = f"c{number}(row[{index}])"
        items.append(f"{key!r}: {value}")
    return eval(f"lambda row: {{{', '.join(items)}}}", names)  # noqa: S307 - keys are repr()'d, the rest ours
