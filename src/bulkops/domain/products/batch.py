"""productCreate for many inputs at once: :func:`create_many`, and the fast writer it uses,
``ProductCreateBatch``: the rows :func:`rules.create_product` writes (product, options, first variant, owned
metafields, auto-publishing), built by the same rule functions of rules.py and variants.py, checked without
a round trip per line and written with one ``executemany`` per table. productSet's new products
(:func:`prepare_new_set`, used by domain/products/sets.py) are the same rows with their variants.

Only inputs that will certainly succeed are taken (no errors, a free handle, well-formed metafields of
non-reference types). It works in two steps: :func:`prepare_product` checks what needs no database and builds
each table's parameter rows (so it may run in another process, ahead of the writer), then
``ProductCreateBatch.add`` fills in the handle, the ids and the time. Either answers None for an input it
cannot vouch for, and that input is created the ordinary way, after :meth:`flush`, so it sees every earlier
one.

Product ids are the database's. On SQLite the write transaction holds the lock, so the id SQLite would give
(the highest + 1) is known as each line is added. On PostgreSQL ids come from the table's sequence: a line is
answered with the id the sequence will most likely give (its next value), and :meth:`flush` draws the kept
lines' ids from the sequence in line order; if another writer drew some meanwhile, the rows take the drawn ids
and those lines are answered again. Handles are guarded by the unique index, not by the lookup alone: a flush
the index refuses (another writer took a handle since the lookup) is rolled back to its savepoint and its
lines are created the ordinary way, which words the handle as one at a time would.
tests/graphql/test_product_create_paths.py checks the two writers give the same rows (and, on PostgreSQL,
tests/graphql/test_batched_writers_on_postgresql.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Dialect, Table, func, select
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
from bulkops.domain.products.variants import NO_INPUT, VariantSpec
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


def _writers(dialect: Dialect) -> dict[Table, RawInsert]:
    return {table: RawInsert(table, keys, dialect) for table, keys in (
        (products, _PRODUCT_KEYS), (product_options, _OPTION_KEYS), (product_variants, _VARIANT_KEYS),
        (metafields, _METAFIELD_KEYS), (resource_publications, _PUBLICATION_KEYS))}


@cache
def writers_for(database: str) -> dict[Table, RawInsert]:
    """Per database, each table's rows as parameter lists in these column orders, with the column types' own bind
    processors for that database's driver (what SQLAlchemy would send), so the rows can be built before the
    writer knows ids, handle and time. PostgreSQL's are made on first use (psycopg is an optional dependency)."""
    if database == "postgresql":
        from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
        return _writers(PGDialect_psycopg())
    return _writers(SQLiteDialect_pysqlite())


_DATABASES = ("sqlite", "postgresql")
P_ID, P_HANDLE, P_SHOP, P_CREATED, P_UPDATED, P_PUBLISHED = (_PRODUCT_KEYS.index(k) for k in _FILLED_BY_WRITER)
V_SHOP, V_PRODUCT, V_CREATED, V_UPDATED = (_VARIANT_KEYS.index(k) for k in ("shop_id", "product_id", "created_at",
                                                                             "updated_at"))
M_SHOP, M_OWNER, M_CREATED, M_UPDATED = (_METAFIELD_KEYS.index(k) for k in ("shop_id", "owner_id", "created_at",
                                                                            "updated_at"))
P_ID_OF_OPTION, M_OWNER_OF_PUBLICATION = _OPTION_KEYS.index("product_id"), _PUBLICATION_KEYS.index("resource_id")


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
    variants: list[list[Any]]
    metafields: list[list[Any]]


class Pending(NamedTuple):
    id: int
    handle: str
    row: SimpleNamespace | None
    """The product's row as the database will return it (when ``prepared.row`` was kept)."""
    prepared: PreparedProduct


class NotBatchable(Exception):
    pass


class HandleTaken(Exception):
    """The unique index refused a flush's rows: another writer took a handle after the batch looked it up."""


def prepare_product(new: NewProduct, database: str = "sqlite") -> PreparedProduct | None:
    """The checks and rows of one input that need no database, or None: create it the ordinary way. The rows
    are parameters for ``database``'s driver (``conn.dialect.name``)."""
    if rules.new_product_errors(new.fields, new.options):
        return None
    options, variant = _option_and_variant_params(tuple((o.name, tuple(o.values)) for o in new.options), database)
    return _prepared(new.fields, [list(o) for o in options], [list(variant)], new.metafields, database)


def prepare_new_set(fields: rules.ProductFields, options: list[rules.OptionSpec] | None,
                    variants: list[VariantSpec] | None, specs: list[MetafieldSpec], database: str
                    ) -> PreparedProduct | None:
    """The rows of a productSet that creates a product (its checks passed): those :func:`rules.set_product`
    and the metafields it sets would write, or None: create it the ordinary way."""
    if options is None:  # a product without options: the standalone variant, as productCreate gives it
        return prepare_product(rules.NewProduct(fields, [], specs), database)
    writers = writers_for(database)
    pairs = [(o.name, list(o.values)) for o in options]
    names = [name for name, _ in pairs]
    try:
        variant_params = [writers[product_variants].params(variant_rules.variant_row(
            None, None, names, dict(spec.option_values or []), spec, position, None))
            for position, spec in enumerate(rules.set_variant_specs(pairs, variants), start=1)]
    except KeyError:  # an option without values: the ordinary path answers it
        return None
    option_params = [writers[product_options].params(row) for row in variant_rules.option_rows(None, pairs)]
    return _prepared(fields, option_params, variant_params, specs, database)


def _prepared(fields: rules.ProductFields, options: list[list[Any]], variants: list[list[Any]],
              specs: list[MetafieldSpec], database: str) -> PreparedProduct | None:
    try:
        checked = _check_metafields(specs)
    except NotBatchable:
        return None
    row = {**_UNSET_ROW, **rules.product_columns(fields)}
    for key in _FILLED_BY_WRITER:
        row.pop(key, None)
    handle = rules.given_handle(fields)
    writers = writers_for(database)
    return PreparedProduct(
        handle, "" if handle is not None else rules.handle_base(fields), row, None,
        writers[products].params({**row, **_UNFILLED}), options, variants,
        [writers[metafields].params(new_metafield_row(None, "Product", None, namespace, m.key, m.value, m.type,
                                                      None))
         for m, namespace in checked])


@lru_cache(maxsize=256)
def _option_and_variant_params(options: tuple[tuple[str, tuple[str, ...]], ...], database: str
                               ) -> tuple[tuple[tuple[Any, ...], ...], tuple[Any, ...]]:
    """The option rows and the first variant's row of a new product with these options, as parameters (the
    writer's places None). A bulk import's products often share their options: each set is converted once."""
    pairs = [(name, list(values)) for name, values in options]
    names, chosen = variant_rules.first_variant(pairs)
    writers = writers_for(database)
    return (tuple(tuple(writers[product_options].params(row)) for row in variant_rules.option_rows(None, pairs)),
            tuple(writers[product_variants].params(variant_rules.variant_row(None, None, names, chosen, NO_INPUT,
                                                                             1, None))))


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
    _rows: dict[Table, list[list[Any]]] = field(default_factory=lambda: {table: [] for table in writers_for("sqlite")})
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
    _kept: list[Pending] = field(default_factory=list)
    """The products kept since the last flush, in line order."""
    _slots: list[int] = field(default_factory=list)
    """Their lines' places in :meth:`run`'s answers."""
    _sequence: str | None = None
    """PostgreSQL: the sequence product ids are drawn from (SQLite: None, the write lock fixes the next id)."""

    @staticmethod
    def supported(conn: Connection) -> bool:
        return (conn.dialect.name in _DATABASES and _OTHER_COLUMNS is not None
                and getattr(conn.dialect, "_json_serializer", None) is None)

    def __post_init__(self) -> None:
        dialect = self.conn.dialect
        self._writers = writers_for(dialect.name)
        self._mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._stamp_of = self._writers[products].processor("created_at")
        if dialect.name == "postgresql":
            self._sequence = self._query("SELECT pg_get_serial_sequence('products', 'id')", ())[0][0]
        self._publishing = auto_publishing(self.conn, self.shop_id)
        self._refresh()

    def _refresh(self) -> None:
        """Ids and existing metafields as the database has them now (after a line ran the ordinary way)."""
        self._next_id = self._database_next_id()
        self._owner_floor = max(
            self.conn.execute(select(func.max(metafields.c.owner_id))
                              .where(metafields.c.owner_type == "Product")).scalar() or 0,
            self.conn.execute(select(func.max(resource_publications.c.resource_id))
                              .where(resource_publications.c.resource_type == "Product")).scalar() or 0,
        )

    def _database_next_id(self) -> int:
        """The id the database gives the next product: SQLite's highest + 1 (this transaction holds the write
        lock); PostgreSQL's sequence's next value (another writer may draw it first: :meth:`flush` checks)."""
        if self._sequence is None:
            return (self.conn.execute(select(func.max(products.c.id))).scalar() or 0) + 1
        last, called = self._query(f"SELECT last_value, is_called FROM {self._sequence}", ())[0]
        return int(last) + 1 if called else int(last)

    def run(self, prepared: Sequence[PreparedProduct | None], now: datetime,
            answer: Callable[[Pending], R | None], ordinary: Callable[[int], R]) -> list[R]:
        """Each input written by this batch when it can vouch for it and ``answer`` has an answer for the new
        product; any other created by ``ordinary(index)`` at its turn, after the rows before it are written.
        ``answer`` may be asked again for a written product whose id the sequence gave otherwise."""
        self.prefetch_handles({p.handle for p in prepared if p is not None and p.handle is not None})
        out: list[Any] = [None] * len(prepared)
        for index, item in enumerate(prepared):
            pending = None if item is None else self.add(item, now)
            response = None if pending is None else answer(pending)
            if pending is None or response is None:
                self._write(out, answer, ordinary)
                out[index] = ordinary(index)
                self.after_ordinary_line()
            else:
                out[index] = response
                self._slots.append(index)
                self.keep(pending)
        self._write(out, answer, ordinary)
        return out

    def _write(self, out: list[Any], answer: Callable[[Pending], Any], ordinary: Callable[[int], Any]) -> None:
        """:meth:`flush`, then each line whose product took another id than announced answered again; if the
        unique index refused the flush (a handle another writer took since the lookup), its lines are
        created the ordinary way, in order."""
        slots, kept = self._slots, list(self._kept)
        self._slots = []
        try:
            ids = self.flush()
        except HandleTaken:
            self._next_number.clear()
            self.hints.clear()
            for index in slots:
                out[index] = ordinary(index)
            self.after_ordinary_line()
            return
        for index, pending, product_id in zip(slots, kept, ids, strict=True):
            if product_id != pending.id:
                if pending.row is not None:
                    pending.row.id = product_id
                out[index] = answer(pending._replace(id=product_id))

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
        for variant in prepared.variants:
            variant[V_SHOP], variant[V_PRODUCT], variant[V_CREATED], variant[V_UPDATED] = (
                shop_id, product_id, stamp, stamp)
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
            self._stamps = (now, self._stamp_of(now) if self._stamp_of else now)
        return self._stamps[1]

    def keep(self, pending: Pending) -> None:
        self._next_id += 1
        self._kept.append(pending)
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
        rows[product_variants] += prepared.variants
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
        return {h for h in wanted if h in self._handles} | self._shop_handles_among(wanted)

    def prefetch_handles(self, handles: set[str]) -> None:
        """Learn which of these (handleized) handles the shop already uses, in one query for the chunk."""
        wanted = sorted(handles)
        self._taken_known = set()
        for start in range(0, len(wanted), 500):
            self._taken_known |= self._shop_handles_among(wanted[start:start + 500])
        self._asked = set(wanted)

    def _shop_handles_among(self, wanted: list[str]) -> set[str]:
        marks = ", ".join(self._mark for _ in wanted)
        sql = f"SELECT handle FROM products WHERE shop_id = {self._mark} AND handle IN ({marks})"
        return {row[0] for row in self._query(sql, (self.shop_id, *wanted))}

    def _taken(self, handle: str) -> bool:
        if handle in self._asked:
            return handle in self._taken_known
        return bool(self._query(f"SELECT 1 FROM products WHERE shop_id = {self._mark} AND handle = {self._mark} "
                                "LIMIT 1", (self.shop_id, handle)))

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """A lookup straight through the driver, in the chunk's transaction."""
        cursor = self.conn.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    # ---- writing ------------------------------------------------------------------------------------
    def flush(self) -> list[int]:
        """Write what was kept, one executemany per table, in the order the per-line path writes, in a savepoint;
        the kept products' ids, in line order. Raises :class:`HandleTaken`, having written nothing, when the
        unique index refuses a row."""
        kept, self._kept = self._kept, []
        self._handles.clear()
        ids = [pending.id for pending in kept]
        if kept and self._sequence is not None:
            drawn = self._draw_ids(len(kept))
            if drawn != ids:
                self._renumber(kept, drawn)
                ids, self._next_id = drawn, drawn[-1] + 1
        try:
            if kept:
                self._write_rows()
        finally:
            for rows in self._rows.values():
                rows.clear()
        return ids

    def _write_rows(self) -> None:
        refused = self.conn.dialect.loaded_dbapi.IntegrityError
        savepoint = self.conn.begin_nested()
        try:
            for table, rows in self._rows.items():
                if rows:
                    self._writers[table].execute(self.conn, rows)
        except refused as error:
            savepoint.rollback()
            raise HandleTaken() from error
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()

    def _draw_ids(self, count: int) -> list[int]:
        """``count`` ids from the products' sequence, ascending (so in line order)."""
        return [int(row[0]) for row in self._query(
            f"SELECT nextval({self._mark}::regclass) FROM generate_series(1, {self._mark}) ORDER BY 1",
            (self._sequence, count))]

    def _renumber(self, kept: list[Pending], ids: list[int]) -> None:
        """Point the kept rows at the ids the sequence gave (another writer drew the ones announced)."""
        for pending, product_id in zip(kept, ids, strict=True):
            prepared = pending.prepared
            prepared.product[P_ID] = product_id
            for variant in prepared.variants:
                variant[V_PRODUCT] = product_id
            for option in prepared.options:
                option[P_ID_OF_OPTION] = product_id
            for metafield in prepared.metafields:
                metafield[M_OWNER] = product_id
        per_product = len(self._publishing.publication_ids)
        for number, row in enumerate(self._rows[resource_publications]):
            row[M_OWNER_OF_PUBLICATION] = ids[number // per_product]

    def after_ordinary_line(self) -> None:
        """Call after a line ran the ordinary way (following a flush): it may have written products."""
        self._asked = set()
        self._refresh()


def _no_lookups(_type_name: str, _number: int) -> bool:
    raise NotBatchable()


def create_many(conn: Connection, shop_id: int, inputs: Sequence[NewProduct], now: datetime
                ) -> list[int | UserErrors]:
    """productCreate for any number of inputs, in order: each answers its new product's id, or its errors
    (then it wrote nothing). Many inputs go through ``ProductCreateBatch``; a single input and any input the
    batch cannot vouch for get :func:`rules.create_product`'s statements."""
    if len(inputs) < 2 or not ProductCreateBatch.supported(conn):
        return [_create_one(conn, shop_id, new, now) for new in inputs]
    batch = ProductCreateBatch(conn, shop_id)
    return batch.run([prepare_product(new, conn.dialect.name) for new in inputs], now, pending_id,
                     lambda index: _create_one(conn, shop_id, inputs[index], now))


def pending_id(pending: Pending) -> int:
    return pending.id


def _create_one(conn: Connection, shop_id: int, new: NewProduct, now: datetime) -> int | UserErrors:
    return in_savepoint(conn, lambda: rules.create_product(conn, shop_id, new, now))
