"""productCreate for many inputs at once: :func:`create_many`, and the fast writer it uses on SQLite,
``ProductCreateBatch``: the rows :func:`rules.create_product` writes (product, options, first variant, owned
metafields, auto-publishing), built by the same rule functions of rules.py and variants.py, checked without
a round trip per line and written with one ``executemany`` per table.

Only inputs that will certainly succeed are taken (no errors, a free handle, well-formed metafields of
non-reference types). It works in two steps: :func:`prepare_product` checks what needs no database and builds
each table's parameter rows (so it may run in another process, ahead of the writer), then
``ProductCreateBatch.add`` fills in the handle, the ids and the time. Either answers None for an input it
cannot vouch for, and that input is created the ordinary way, after :meth:`flush`, so it sees every earlier
one. Product ids are given by the application, as SQLite itself would give them (the highest id + 1; the
write transaction holds the lock), so the other tables' ids come out as they would one by one. SQLite only:
on other databases :func:`create_many` writes a statement per row. tests/graphql/test_product_create_paths.py
checks the two writers give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from bulkops.db.raw_insert import RawInsert
from bulkops.db.tables import metafields, product_options, product_variants, products, resource_publications
from bulkops.domain.common import first_free_handle, in_savepoint, numbered_handle
from bulkops.domain.metafields.rules import (
    DEFAULT_NAMESPACE,
    MAX_PER_CALL,
    names_problem,
    new_metafield_row,
    value_problem,
)
from bulkops.domain.metafields.types import REFERENCE_TYPES
from bulkops.domain.products import rules
from bulkops.domain.products import variants as variant_rules
from bulkops.domain.products.rules import MetafieldSpec, NewProduct
from bulkops.domain.products.variants import NO_INPUT
from bulkops.domain.publications.rules import AutoPublishing, auto_publishing
from bulkops.protocol.errors import UserErrors

__all__ = ["MetafieldSpec", "PreparedProduct", "ProductCreateBatch", "create_many", "prepare_product"]
R = TypeVar("R")

MAX_HINTS = 10_000
"""Handle bases an import remembers numbering for (forgotten all at once past it: only speed is lost)."""
_SET_BY_CREATE = {*rules.NEW_PRODUCT_DEFAULTS, "handle", "shop_id", "created_at", "updated_at", "id"}


def _column_defaults() -> dict[str, Any] | None:
    """What the database holds for product columns create_product leaves out; None if one has a default
    this module cannot reproduce (then batching is off)."""
    out: dict[str, Any] = {}
    for column in products.c:
        if column.name in _SET_BY_CREATE or column.name in rules.ProductFields.__dataclass_fields__:
            continue
        default = column.default
        if column.server_default is not None or (default is not None
                                                 and not isinstance(default, ScalarElementColumnDefault)):
            return None
        out[column.name] = default.arg if isinstance(default, ScalarElementColumnDefault) else None
    return out


_OTHER_COLUMNS = _column_defaults()
_FIELD_COLUMNS = [c for c in rules.ProductFields.__dataclass_fields__ if c in products.c]
_UNSET_ROW = {**dict.fromkeys(_FIELD_COLUMNS), **(_OTHER_COLUMNS or {})}
"""A new product's columns before its input and create_product's values are applied."""

_FILLED_BY_WRITER = ("id", "handle", "shop_id", "created_at", "updated_at", "published_at")
_UNFILLED = dict.fromkeys(_FILLED_BY_WRITER)
_PRODUCT_KEYS = ["id", *_UNSET_ROW, "shop_id", "created_at", "updated_at"]
_OPTION_KEYS = ["product_id", "name", "position", "values"]
_VARIANT_KEYS = ["shop_id", "product_id", "title", "position", "selected_options", "price", "compare_at_price", "sku",
                 "barcode", "taxable", "inventory_quantity", "inventory_policy", "inventory_item", "created_at",
                 "updated_at"]
_METAFIELD_KEYS = ["shop_id", "owner_type", "owner_id", "namespace", "key", "value", "type", "created_at", "updated_at"]
_PUBLICATION_KEYS = ["publication_id", "resource_type", "resource_id", "publish_date"]
_DIALECT = SQLiteDialect_pysqlite()
_WRITERS = {table: RawInsert(table, keys, _DIALECT) for table, keys in (
    (products, _PRODUCT_KEYS), (product_options, _OPTION_KEYS), (product_variants, _VARIANT_KEYS),
    (metafields, _METAFIELD_KEYS), (resource_publications, _PUBLICATION_KEYS))}
"""Each table's rows as parameter lists in these column orders, with the column types' own bind processors
(what SQLAlchemy would send), so the rows can be built before the writer knows ids, handle and time."""
P_ID, P_HANDLE, P_SHOP, P_CREATED, P_UPDATED, P_PUBLISHED = (_PRODUCT_KEYS.index(k) for k in _FILLED_BY_WRITER)
V_SHOP, V_PRODUCT, V_CREATED, V_UPDATED = (_VARIANT_KEYS.index(k) for k in ("shop_id", "product_id", "created_at",
                                                                             "updated_at"))
M_SHOP, M_OWNER, M_CREATED, M_UPDATED = (_METAFIELD_KEYS.index(k) for k in ("shop_id", "owner_id", "created_at",
                                                                            "updated_at"))
_STAMP = _WRITERS[products].processor("created_at")


class PreparedProduct(NamedTuple):
    """One productCreate input, checked, as parameter rows lacking only what the writer gives: the handle, the
    ids and the time (None in those places). Plain values only, so that it crosses a process boundary cheaply."""

    handle: str | None
    """The input's handle, handleized (None: derive one from ``base``)."""
    base: str
    row: dict[str, Any] | None
    """The product's columns as the database will return them, but those the writer fills in (None when the
    caller presented what it needs of them beforehand: ``presented``)."""
    presented: dict[str, Any] | None
    product: list[Any]
    options: list[list[Any]]
    variant: list[Any]
    metafields: list[list[Any]]


class Pending(NamedTuple):
    id: int
    handle: str
    row: SimpleNamespace | None
    """The product's row as the database will return it (when ``prepared.row`` was kept)."""
    prepared: PreparedProduct


class NotBatchable(Exception):
    pass


def prepare_product(new: NewProduct) -> PreparedProduct | None:
    """The checks and rows of one input that need no database, or None: create it the ordinary way."""
    fields = new.fields
    if rules.new_product_errors(fields, new.options):
        return None
    try:
        checked = _check_metafields(new.metafields)
    except NotBatchable:
        return None
    row = {**_UNSET_ROW, **rules.product_columns(fields)}
    for key in _FILLED_BY_WRITER:
        row.pop(key, None)
    options, variant = _option_and_variant_params(tuple((o.name, tuple(o.values)) for o in new.options))
    handle = rules.given_handle(fields)
    return PreparedProduct(
        handle, "" if handle is not None else rules.handle_base(fields), row, None,
        _WRITERS[products].params({**row, **_UNFILLED}), [list(o) for o in options], list(variant),
        [params_of(metafields, new_metafield_row(None, "Product", None, namespace, m.key, m.value, m.type, None))
         for m, namespace in checked])


def params_of(table: Table, row: dict[str, Any]) -> list[Any]:
    return _WRITERS[table].params(row)


@lru_cache(maxsize=256)
def _option_and_variant_params(options: tuple[tuple[str, tuple[str, ...]], ...]
                               ) -> tuple[tuple[tuple[Any, ...], ...], tuple[Any, ...]]:
    """The option rows and the first variant's row of a new product with these options, as parameters (the
    writer's places None). A bulk import's products often share their options: each set is converted once."""
    pairs = [(name, list(values)) for name, values in options]
    names, chosen = variant_rules.first_variant(pairs)
    return (tuple(tuple(params_of(product_options, row)) for row in variant_rules.option_rows(None, pairs)),
            tuple(params_of(product_variants, variant_rules.variant_row(None, None, names, chosen, NO_INPUT, 1,
                                                                        None))))


def _check_metafields(specs: list[MetafieldSpec]) -> list[tuple[MetafieldSpec, str]]:
    """The metafields with their namespaces, when set_metafields would take them all without asking the
    database (no reference types, no key given twice)."""
    if not specs:
        return []
    if len(specs) > MAX_PER_CALL:
        raise NotBatchable()
    out = []
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        namespace = spec.namespace or DEFAULT_NAMESPACE
        kind = spec.type
        if ((namespace, spec.key) in seen or (kind and kind.removeprefix("list.") in REFERENCE_TYPES)
                or names_problem(namespace, spec.key) or value_problem(kind, spec.value, _no_lookups)):
            raise NotBatchable()
        seen.add((namespace, spec.key))
        out.append((spec, namespace))
    return out


@dataclass
class ProductCreateBatch:
    conn: Connection
    shop_id: int
    hints: dict[str, int] = field(default_factory=dict)
    """Shared by an import's chunks: per handle base that needed a number, the number after the last one a
    chunk gave (see :meth:`_resume_at`), so that each chunk of a file of one title does not walk every earlier
    chunk's handles again."""
    _rows: dict[Table, list[list[Any]]] = field(default_factory=lambda: {table: [] for table in _WRITERS})
    _next_id: int = 0
    _handles: set[str] = field(default_factory=set)
    _next_number: dict[str, int] = field(default_factory=dict)
    """Per handle base, the number a free handle is first looked for at: every one below it is taken (a chunk
    only adds products), so many lines of one title do not ask again about the same handles."""
    _last_number: int = 0
    """The number of the handle ``add`` derived last (``keep`` moves the base's next number past it)."""
    _publishing: AutoPublishing = AutoPublishing((), False)
    _owner_floor: int = 0
    """The highest product id that rows of other tables still point at (a deleted product's leftovers)."""
    _asked: set[str] = field(default_factory=set)
    _taken_known: set[str] = field(default_factory=set)
    _stamps: tuple[datetime, Any] | None = None

    @staticmethod
    def supported(conn: Connection) -> bool:
        return (conn.dialect.name == "sqlite" and _OTHER_COLUMNS is not None
                and getattr(conn.dialect, "_json_serializer", None) is None)

    def __post_init__(self) -> None:
        self._publishing = auto_publishing(self.conn, self.shop_id)
        self._refresh()

    def _refresh(self) -> None:
        """Ids and existing metafields as the database has them now (after a line ran the ordinary way)."""
        self._next_id = (self.conn.execute(select(func.max(products.c.id))).scalar() or 0) + 1
        self._owner_floor = max(
            self.conn.execute(select(func.max(metafields.c.owner_id))
                              .where(metafields.c.owner_type == "Product")).scalar() or 0,
            self.conn.execute(select(func.max(resource_publications.c.resource_id))
                              .where(resource_publications.c.resource_type == "Product")).scalar() or 0,
        )

    def run(self, prepared: Sequence[PreparedProduct | None], now: datetime,
            answer: Callable[[Pending], R | None], ordinary: Callable[[int], R]) -> list[R]:
        """Each input written by this batch when it can vouch for it and ``answer`` has an answer for the new
        product; any other created by ``ordinary(index)`` at its turn, after the rows before it are written."""
        self.prefetch_handles({p.handle for p in prepared if p is not None and p.handle is not None})
        out = []
        for index, item in enumerate(prepared):
            pending = None if item is None else self.add(item, now)
            response = None if pending is None else answer(pending)
            if pending is None or response is None:
                self.flush()
                response = ordinary(index)
                self.after_ordinary_line()
            else:
                self.keep(pending)
            out.append(response)
        self.flush()
        return out

    # ---- one line -----------------------------------------------------------------------------------
    def add(self, prepared: PreparedProduct, now: datetime) -> Pending | None:
        """The new product (its row as the database will return it; its parameter rows filled in), or None:
        run this line the ordinary way. Nothing is kept until :meth:`keep`."""
        if self._next_id <= self._owner_floor:
            return None
        try:
            handle = self._handle(prepared)
        except NotBatchable:
            return None
        product_id, shop_id, stamp = self._next_id, self.shop_id, self._stamp(now)
        published = self._publishing.published_at(now)
        product = prepared.product
        product[P_ID], product[P_HANDLE], product[P_SHOP] = product_id, handle, shop_id
        product[P_CREATED] = product[P_UPDATED] = stamp
        product[P_PUBLISHED] = stamp if published else None
        for option in prepared.options:
            option[0] = product_id
        variant = prepared.variant
        variant[V_SHOP], variant[V_PRODUCT], variant[V_CREATED], variant[V_UPDATED] = shop_id, product_id, stamp, stamp
        for metafield in prepared.metafields:
            metafield[M_SHOP], metafield[M_OWNER], metafield[M_CREATED], metafield[M_UPDATED] = (
                shop_id, product_id, stamp, stamp)
        row = None
        if prepared.row is not None:
            row = SimpleNamespace(**prepared.row)
            row.id, row.handle, row.shop_id, row.created_at, row.updated_at, row.published_at = (
                product_id, handle, shop_id, now, now, published)
        return Pending(product_id, handle, row, prepared)

    def _stamp(self, now: datetime) -> Any:
        """``now`` as the DateTime columns store it (converted once for every row sharing it)."""
        if self._stamps is None or self._stamps[0] is not now:
            self._stamps = (now, _STAMP(now) if _STAMP else now)
        return self._stamps[1]

    def keep(self, pending: Pending) -> None:
        self._next_id += 1
        self._handles.add(pending.handle)
        if pending.prepared.handle is None:
            self._next_number[pending.prepared.base] = self._last_number + 1
            if self._last_number:
                if len(self.hints) >= MAX_HINTS:
                    self.hints.clear()
                self.hints[pending.prepared.base] = self._last_number + 1
        prepared, rows = pending.prepared, self._rows
        rows[products].append(prepared.product)
        rows[product_options] += prepared.options
        rows[product_variants].append(prepared.variant)
        rows[metafields] += prepared.metafields
        if self._publishing.publication_ids:
            stamp = prepared.product[P_CREATED]
            rows[resource_publications] += [[p, "Product", pending.id, stamp]
                                            for p in self._publishing.publication_ids]

    def _handle(self, prepared: PreparedProduct) -> str:
        if prepared.handle is not None:
            if prepared.handle in self._handles or self._taken(prepared.handle):
                raise NotBatchable()
            return prepared.handle
        start = self._next_number.get(prepared.base)
        handle, self._last_number = first_free_handle(prepared.base, self._taken_among,
                                                      self._resume_at(prepared.base) if start is None else start)
        return handle

    def _resume_at(self, base: str) -> int:
        """Where an earlier chunk left this base's numbering, if the handle just before is still taken (it is
        not when that chunk was rolled back: then from the start, as the one-by-one path numbers)."""
        hint = self.hints.get(base, 0)
        previous = numbered_handle(base, hint - 1)
        return hint if hint > 1 and previous in self._taken_among([previous]) else 0

    def _taken_among(self, wanted: list[str]) -> set[str]:
        """Which of these handles this chunk or the shop already uses (one lookup through the unique index)."""
        marks = ", ".join("?" for _ in wanted)
        return {h for h in wanted if h in self._handles} | {r[0] for r in self._query(
            f"SELECT handle FROM products WHERE shop_id = ? AND handle IN ({marks})", (self.shop_id, *wanted))}

    def prefetch_handles(self, handles: set[str]) -> None:
        """Learn which of these (handleized) handles the shop already uses, in one query for the chunk."""
        wanted = sorted(handles)
        self._taken_known = set()
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            marks = ", ".join("?" for _ in part)
            self._taken_known |= {r[0] for r in self._query(
                f"SELECT handle FROM products WHERE shop_id = ? AND handle IN ({marks})", (self.shop_id, *part))}
        self._asked = set(wanted)

    def _taken(self, handle: str) -> bool:
        if handle in self._asked:
            return handle in self._taken_known
        return bool(self._query("SELECT 1 FROM products WHERE shop_id = ? AND handle = ? LIMIT 1",
                                (self.shop_id, handle)))

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """A lookup straight through the driver (SQLite), in the chunk's transaction."""
        cursor = self.conn.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    # ---- writing ------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write what was kept, one executemany per table, in the order the per-line path writes."""
        for table, rows in self._rows.items():
            if rows:
                _WRITERS[table].execute(self.conn, rows)
                rows.clear()
        self._handles.clear()

    def after_ordinary_line(self) -> None:
        """Call after a line ran the ordinary way (following a flush): it may have written products."""
        self._asked = set()
        self._refresh()


def _no_lookups(_type_name: str, _number: int) -> bool:
    raise NotBatchable()


def create_many(conn: Connection, shop_id: int, inputs: Sequence[NewProduct], now: datetime
                ) -> list[int | UserErrors]:
    """productCreate for any number of inputs, in order: each answers its new product's id, or its errors
    (then it wrote nothing). Many inputs on SQLite go through ``ProductCreateBatch``; a single input, other
    databases and any input the batch cannot vouch for get :func:`rules.create_product`'s statements."""
    if len(inputs) < 2 or not ProductCreateBatch.supported(conn):
        return [_create_one(conn, shop_id, new, now) for new in inputs]
    batch = ProductCreateBatch(conn, shop_id)
    return batch.run([prepare_product(new) for new in inputs], now, _pending_id,
                     lambda index: _create_one(conn, shop_id, inputs[index], now))


def _pending_id(pending: Pending) -> int:
    return pending.id


def _create_one(conn: Connection, shop_id: int, new: NewProduct, now: datetime) -> int | UserErrors:
    return in_savepoint(conn, lambda: rules.create_product(conn, shop_id, new, now))
