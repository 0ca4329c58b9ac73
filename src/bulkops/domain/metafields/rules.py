"""Metafields: typed values attached to an owner; ``metafieldsSet`` is atomic, capped at 25 and
compare-and-set when a ``compareDigest`` is given."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, Select, Table, bindparam, select, update

from bulkops.db.raw_insert import RawInsert
from bulkops.db.tables import metadata, metafields, shops
from bulkops.domain.metafields.types import check_value, is_known_type
from bulkops.protocol.errors import UserError, UserErrors

MAX_PER_CALL = 25
DEFAULT_NAMESPACE = "custom"
RESOURCE_TABLES = {
    "Product": "products", "ProductVariant": "product_variants", "Customer": "customers",
    "Collection": "collections", "Order": "orders", "DraftOrder": "draft_orders", "Location": "locations",
    "Company": "companies", "CompanyLocation": "company_locations", "Page": "pages", "Blog": "blogs",
    "Article": "articles", "Market": "markets", "Metaobject": "metaobjects", "GiftCard": "gift_cards",
}
OWNER_TYPES = {
    "Product", "ProductVariant", "Customer", "Collection", "Order", "DraftOrder", "Location", "Company",
    "CompanyLocation", "Page", "Blog", "Article", "Market", "Shop",
}
OWNER_TABLES = RESOURCE_TABLES  # kept for callers that still look owners up by this name
NOT_GIVEN: Any = object()
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class MetafieldInput:
    owner_type: str
    owner_id: int
    namespace: str | None
    key: str
    value: str
    type: str | None
    compare_digest: Any = NOT_GIVEN
    """NOT_GIVEN: no write guarantee; None: only if the metafield does not exist yet; a digest: only if unchanged."""


def compare_digest(kind: str, value: str) -> str:
    """A digest of the persisted value (what ``Metafield.compareDigest`` shows and ``metafieldsSet`` compares)."""
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()


def resource_exists(conn: Connection, shop_id: int, type_name: str, number: int) -> bool:
    """Whether a resource of ``type_name`` with this number is in the shop (unknown kinds never are)."""
    if type_name == "Shop":
        return number == shop_id and conn.execute(select(shops.c.id).where(shops.c.id == shop_id)).first() is not None
    table: Table | None = metadata.tables.get(RESOURCE_TABLES.get(type_name, ""))
    if table is None or "shop_id" not in table.c:
        return False
    return conn.execute(
        select(table.c.id).where(table.c.id == number, table.c.shop_id == shop_id)
    ).first() is not None


def _name_problem(text: str, label: str, low: int, high: int) -> tuple[str, str] | None:
    if len(text) < low:
        return f"{label} is too short (minimum is {low} characters)", "TOO_SHORT"
    if len(text) > high:
        return f"{label} is too long (maximum is {high} characters)", "TOO_LONG"
    if not _NAME.match(text):
        return f"{label} contains one or more invalid characters.", "INVALID"
    return None


@lru_cache(maxsize=4096)
def names_problem(namespace: str, key: str) -> tuple[str, str, str] | None:
    """What is wrong with a metafield's namespace or key, as (message, field, code); None if nothing.
    Namespaces and keys repeat from line to line of a bulk import: each pair is checked once."""
    for text, label, field, low, high in ((namespace, "Namespace", "namespace", 3, 255),
                                          (key, "Key", "key", 2, 64)):
        problem = _name_problem(text, label, low, high)
        if problem:
            return problem[0], field, problem[1]
    return None


def value_problem(kind: str | None, value: str, lookup: Callable[[str, int], bool]) -> tuple[str, str, str] | None:
    """What is wrong with a metafield's type or value, as (message, field, code); None if nothing. ``lookup``
    answers whether a referenced resource exists (only reference types ask)."""
    if not kind:
        return "Type can't be blank", "type", "BLANK"
    if not is_known_type(kind):
        return f"Type '{kind}' is not a valid metafield type.", "type", "INVALID_TYPE"
    if value == "":
        return "Value can't be blank", "value", "BLANK"
    problem = check_value(kind, value, lookup)
    return (problem, "value", "INVALID_VALUE") if problem else None


Key = tuple[str, int, str, str]
"""A metafield's identity: (owner type, owner id, namespace, key)."""
_LOOKUP_SIZE = 500
"""Owner ids per ``IN (...)`` lookup (well under SQLite's and PostgreSQL's parameter limits)."""
_NAMES_FILTER_LIMIT = 200
"""Up to this many distinct namespaces and keys, the lookup of existing metafields also filters on them."""


@dataclass
class _Current:
    """A metafield as the batch sees it: stored (``id``) or still to be inserted (``id`` None until the flush)."""

    id: int | None
    type: str
    value: str
    created_at: datetime
    new: bool = False
    changed: bool = False


class MetafieldRow(NamedTuple):
    """A metafield as stored (the table's columns, in its order): what ``set_many`` answers."""

    id: int
    shop_id: int
    owner_type: str
    owner_id: int
    namespace: str
    key: str
    value: str
    type: str
    created_at: datetime
    updated_at: datetime


def set_many(conn: Connection, shop_id: int, calls: Sequence[list[MetafieldInput]], now: datetime,
             default_namespace: str = DEFAULT_NAMESPACE) -> list[list[MetafieldRow] | UserErrors]:
    """``metafieldsSet`` for many calls at once, in order (a later call sees an earlier one's writes): each
    answers its metafields' rows as stored after it, in input order, or its errors (then it wrote nothing).
    The only way metafields are set: the synchronous mutation and owned metafields are a batch of one."""
    batch = MetafieldSetBatch(conn, shop_id, now, default_namespace)
    batch.learn(calls)
    for call in calls:
        batch.add(call)
    return batch.finish()


def set_metafields(conn: Connection, shop_id: int, inputs: list[MetafieldInput], now: datetime,
                   default_namespace: str = DEFAULT_NAMESPACE) -> list[int]:
    """One call, all or nothing (its errors raised): the ids come back in input order."""
    [answer] = set_many(conn, shop_id, [inputs], now, default_namespace)
    if isinstance(answer, UserErrors):
        raise answer
    return [row.id for row in answer]


_Snapshot = tuple[Key, "_Current", str, str]
"""An answered metafield as its call left it: its key, its record (for the id), its value and type."""


class MetafieldSetBatch:
    """Calls checked in order against what the batch read once (owners, existing metafields) and its own
    writes, written at the end with one executemany INSERT (new rows, in input order: ids as one at a time
    would give them) and one executemany UPDATE. Each call's answer is a snapshot of its rows as the call left
    them (every answered row was written at ``now``), so nothing is read back but the new rows' ids."""

    def __init__(self, conn: Connection, shop_id: int, now: datetime, default_namespace: str) -> None:
        self.conn, self.shop_id, self.now, self.default_namespace = conn, shop_id, now, default_namespace
        self._owners: set[tuple[str, int]] = set()
        self._state: dict[Key, _Current] = {}
        self._fresh: dict[Key, dict[str, Any]] = {}
        self._changed: list[_Current] = []
        self._answers: list[list[_Snapshot] | UserErrors] = []

    def learn(self, calls: Sequence[list[MetafieldInput]]) -> None:
        """The owners the calls name that exist in the shop, and the metafields they may replace: a query per
        owner type and 500 owners."""
        names = {(item.namespace or self.default_namespace, item.key) for call in calls for item in call}
        for owner_type, part in _owner_parts([item for call in calls for item in call]):
            self._owners |= {(owner_type, n) for n in existing_resources(self.conn, self.shop_id, owner_type, part)}
            for row in self.conn.execute(_lookup(owner_type, part, names, metafields.c.type, metafields.c.value,
                                                 metafields.c.created_at)):
                self._state[(owner_type, row.owner_id, row.namespace, row.key)] = _Current(
                    row.id, row.type, row.value, row.created_at)

    def add(self, call: list[MetafieldInput]) -> None:
        if len(call) > MAX_PER_CALL:
            self._answers.append(UserErrors([UserError(
                f"Exceeded the maximum metafields input limit of {MAX_PER_CALL}.", ["metafields"],
                "LESS_THAN_OR_EQUAL_TO")]))
            return
        keys = [(item.owner_type, item.owner_id, item.namespace or self.default_namespace, item.key)
                for item in call]
        errors = [e for index, (item, key) in enumerate(zip(call, keys, strict=True))
                  if (e := self._check(index, item, key))]
        if errors:
            self._answers.append(UserErrors(errors))
            return
        currents = [self._apply(item, key) for item, key in zip(call, keys, strict=True)]
        self._answers.append([(key, c, c.value, c.type) for key, c in zip(keys, currents, strict=True)])

    def _check(self, index: int, item: MetafieldInput, key: Key) -> UserError | None:
        at = ["metafields", str(index)]

        def error(message: str, field: str, code: str) -> UserError:
            return UserError(message, [*at, field], code, {"elementIndex": index})

        if (item.owner_type, item.owner_id) not in self._owners:
            return error("Owner does not exist.", "ownerId", "INVALID")
        names = names_problem(key[2], item.key)
        if names:
            return error(*names)
        existing = self._state.get(key)
        problem = value_problem(item.type or (existing.type if existing else None), item.value,
                                lambda type_name, number: resource_exists(self.conn, self.shop_id, type_name, number))
        if problem:
            return error(*problem)
        if item.compare_digest is not NOT_GIVEN:
            if item.compare_digest is not None and not _DIGEST.match(str(item.compare_digest)):
                return error("The compareDigest is invalid.", "compareDigest", "INVALID_COMPARE_DIGEST")
            current = compare_digest(existing.type, existing.value) if existing else None
            if current != item.compare_digest:
                return error("The resource has been updated since it was loaded. Try again with an updated "
                             "`compareDigest` value.", "compareDigest", "STALE_OBJECT")
        return None

    def _apply(self, item: MetafieldInput, key: Key) -> _Current:
        current = self._state.get(key)
        if current is None:
            row = new_metafield_row(self.shop_id, key[0], key[1], key[2], key[3], item.value, item.type, None)
            self._fresh[key] = row
            current = self._state[key] = _Current(None, row["type"], row["value"], self.now, new=True)
            return current
        current.value, current.type = item.value, item.type or current.type
        if current.new:  # set again before the flush: the insert takes the last value
            self._fresh[key].update(value=current.value, type=current.type)
        elif not current.changed:
            current.changed = True
            self._changed.append(current)
        return current

    def finish(self) -> list[list[MetafieldRow] | UserErrors]:
        """Write everything, then answer each call with its snapshots (the new rows' ids read back by key)."""
        if self._fresh:
            self._insert_fresh()
            self._learn_new_ids()
        if self._changed:
            self.conn.execute(update(metafields).where(metafields.c.id == bindparam("_id")).values(
                value=bindparam("_value"), type=bindparam("_type"), updated_at=self.now),
                [{"_id": c.id, "_value": c.value, "_type": c.type} for c in self._changed])
        return [answer if isinstance(answer, UserErrors) else [self._row(*snapshot) for snapshot in answer]
                for answer in self._answers]

    def _insert_fresh(self) -> None:
        """The new rows in input order, their times (one ``now``) converted for the driver once, not per row."""
        writer = _raw_insert(self.conn.dialect)
        process = writer.processor("created_at")
        stamp = process(self.now) if process is not None else self.now
        created, updated = writer.keys.index("created_at"), writer.keys.index("updated_at")
        params = []
        for row in self._fresh.values():
            values = writer.params(row)
            values[created] = values[updated] = stamp
            params.append(values)
        writer.execute(self.conn, params)

    def _learn_new_ids(self) -> None:
        names = {(key[2], key[3]) for key in self._fresh}
        owners = [MetafieldInput(key[0], key[1], key[2], key[3], "", None) for key in self._fresh]
        for owner_type, part in _owner_parts(owners):
            for row in self.conn.execute(_lookup(owner_type, part, names)):
                current = self._state.get((owner_type, row.owner_id, row.namespace, row.key))
                if current is not None and current.new:
                    current.id = row.id

    def _row(self, key: Key, current: _Current, value: str, kind: str) -> MetafieldRow:
        assert current.id is not None
        return MetafieldRow(current.id, self.shop_id, key[0], key[1], key[2], key[3], value, kind,
                            current.created_at, self.now)


@lru_cache(maxsize=8)
def _raw_insert(dialect: Dialect) -> RawInsert:
    """New metafield rows through the driver's executemany (SQLAlchemy's per-row bookkeeping cost more than
    SQLite's insert): one statement per database kind, made once."""
    return RawInsert(metafields, list(new_metafield_row(0, "", 0, "", "", "", "", None)), dialect)


def _owner_parts(items: Sequence[MetafieldInput]) -> list[tuple[str, list[int]]]:
    """The items' owners, by type, 500 at a time."""
    by_type: dict[str, set[int]] = {}
    for item in items:
        by_type.setdefault(item.owner_type, set()).add(item.owner_id)
    out = []
    for owner_type, numbers in by_type.items():
        ordered = sorted(numbers)
        out += [(owner_type, ordered[start:start + _LOOKUP_SIZE]) for start in range(0, len(ordered), _LOOKUP_SIZE)]
    return out


def _lookup(owner_type: str, owner_ids: list[int], names: set[tuple[str, str]], *more: Any) -> Select:
    """These owners' metafields (id and key, and ``more`` columns), narrowed to these namespaces and keys
    when there are few of them (the unique (owner, namespace, key) index answers)."""
    stmt = select(metafields.c.id, metafields.c.owner_id, metafields.c.namespace, metafields.c.key, *more).where(
        metafields.c.owner_type == owner_type, metafields.c.owner_id.in_(owner_ids))
    namespaces, keys = {n for n, _ in names}, {k for _, k in names}
    if len(namespaces) <= _NAMES_FILTER_LIMIT and len(keys) <= _NAMES_FILTER_LIMIT:
        stmt = stmt.where(metafields.c.namespace.in_(sorted(namespaces)), metafields.c.key.in_(sorted(keys)))
    return stmt


def existing_resources(conn: Connection, shop_id: int, type_name: str, numbers: list[int]) -> set[int]:
    """Which of these numbers are resources of ``type_name`` in the shop, in one query (owner kinds only)."""
    if type_name not in OWNER_TYPES:
        return set()
    if type_name == "Shop":
        return {n for n in numbers if resource_exists(conn, shop_id, "Shop", n)}
    table: Table | None = metadata.tables.get(RESOURCE_TABLES.get(type_name, ""))
    if table is None or "shop_id" not in table.c:
        return set()
    return set(conn.scalars(select(table.c.id).where(table.c.shop_id == shop_id, table.c.id.in_(numbers))))


def _existing(conn: Connection, owner_type: str, owner_id: int, namespace: str, key: str) -> Any | None:
    return conn.execute(select(metafields).where(
        metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id,
        metafields.c.namespace == namespace, metafields.c.key == key,
    )).first()


def new_metafield_row(shop_id: int | None, owner_type: str, owner_id: int | None, namespace: str, key: str,
                      value: str, kind: str | None, now: datetime | None) -> dict[str, Any]:
    """A new metafield's columns (None ids and time: a batch writer fills them in)."""
    return {"shop_id": shop_id, "owner_type": owner_type, "owner_id": owner_id, "namespace": namespace, "key": key,
            "value": value, "type": kind, "created_at": now, "updated_at": now}


def metafields_query(shop_id: int, owner_type: str, owner_id: int, namespace: str | None = None) -> Select:
    stmt = select(metafields).where(
        metafields.c.shop_id == shop_id, metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id
    )
    if namespace:
        stmt = stmt.where(metafields.c.namespace == namespace)
    return stmt


def get_metafield(conn: Connection, shop_id: int, owner_type: str, owner_id: int, namespace: str,
                  key: str) -> Any | None:
    row = _existing(conn, owner_type, owner_id, namespace, key)
    return row if row is not None and row.shop_id == shop_id else None


def get_metafield_by_id(conn: Connection, shop_id: int, metafield_id: int) -> Any | None:
    return conn.execute(
        select(metafields).where(metafields.c.id == metafield_id, metafields.c.shop_id == shop_id)
    ).first()
