"""customerCreate and customerUpdate for many inputs at once: :func:`create_many`, the only way customers are
created, and :func:`update_many`, the only way they are updated (the synchronous mutations are a batch of one),
with ``CustomerCreateBatch`` and ``CustomerUpdateBatch``, the writers they use.

Each input is checked by :func:`rules.prepare_customer` (the checks that need no database); the batch then
looks up, in one query per chunk, which of the inputs' emails and phones the shop already uses. An input it
can vouch for (no errors, an email and a phone nobody has, not even an earlier input) becomes a row written with
the others in one ``INSERT ... RETURNING`` in input order (ids as one at a time would give them, on SQLite and
PostgreSQL alike). Any other input is created the ordinary way (:func:`rules.create_customer`, which words
its errors) at its turn, after :meth:`CustomerCreateBatch.flush`, so it sees every earlier input.
tests/graphql/test_customer_create_paths.py checks the paths give the same rows and answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, bindparam, insert, select, update

from bulkops.db.tables import customers
from bulkops.domain.common import in_savepoint
from bulkops.domain.customers import rules
from bulkops.domain.customers.rules import CustomerFields
from bulkops.protocol.errors import UserError, UserErrors

R = TypeVar("R")
_CONTACTS = ("email", "phone")
_LOOKUP_SIZE = 500
"""Values per ``IN (...)`` lookup (well under SQLite's and PostgreSQL's parameter limits)."""


class Created(NamedTuple):
    """An input the batch wrote: the new customer's id."""

    id: int


class CustomerCreateBatch:
    """New customers kept as rows until :meth:`flush` writes them together."""

    def __init__(self, conn: Connection, shop_id: int) -> None:
        self.conn = conn
        self.shop_id = shop_id
        self._rows: list[dict[str, Any]] = []
        self._slots: list[int] = []
        self._used: dict[str, set[str]] = {column: set() for column in _CONTACTS}

    def run(self, prepared: Sequence[dict[str, Any] | None], now: datetime,
            ordinary: Callable[[int], R]) -> list[Created | R]:
        """Each input written by the batch when it can vouch for it (answering :class:`Created`); any other
        answered by ``ordinary(index)`` at its turn, after the rows before it are written."""
        out: list[Created | R | None] = [None] * len(prepared)
        self._learn_used(prepared)
        for index, item in enumerate(prepared):
            if item is not None and self._free(item):
                self._keep(index, rules.new_customer_row(item, self.shop_id, now))
                continue
            self.flush(out)
            out[index] = ordinary(index)
            if item is None:  # it may have created a customer (one the batch vouched for but found taken cannot)
                self._learn_used(prepared[index + 1:])
        self.flush(out)
        return out  # type: ignore[return-value]

    def _learn_used(self, prepared: Sequence[dict[str, Any] | None]) -> None:
        """Which of these inputs' emails and phones the shop already uses (a query per column and 500 values)."""
        for column in _CONTACTS:
            wanted = sorted({p[column] for p in prepared if p is not None and p[column] is not None})
            used: set[str] = set()
            for start in range(0, len(wanted), _LOOKUP_SIZE):
                part = wanted[start:start + _LOOKUP_SIZE]
                used |= set(self.conn.scalars(select(customers.c[column]).where(
                    customers.c.shop_id == self.shop_id, customers.c[column].in_(part))))
            self._used[column] = used

    def _free(self, item: dict[str, Any]) -> bool:
        return all(item[column] is None or item[column] not in self._used[column] for column in _CONTACTS)

    def _keep(self, index: int, row: dict[str, Any]) -> None:
        for column in _CONTACTS:
            if row[column] is not None:
                self._used[column].add(row[column])
        self._rows.append(row)
        self._slots.append(index)

    def flush(self, out: list[Any]) -> None:
        """Write the kept rows in one statement; each one's id goes to its input's place in ``out``."""
        if not self._rows:
            return
        statement = insert(customers).returning(customers.c.id, sort_by_parameter_order=True)
        ids = [row.id for row in self.conn.execute(statement, self._rows)]
        for index, customer_id in zip(self._slots, ids, strict=True):
            out[index] = Created(customer_id)
        self._rows, self._slots = [], []


def create_many(conn: Connection, shop_id: int, inputs: Sequence[CustomerFields], now: datetime
                ) -> list[int | UserErrors]:
    """customerCreate for any number of inputs, in order: each answers its new customer's id, or its errors
    (then it wrote nothing)."""
    batch = CustomerCreateBatch(conn, shop_id)
    answers = batch.run([rules.prepare_customer(fields, now) for fields in inputs], now,
                        lambda index: _create_one(conn, shop_id, inputs[index], now))
    return [answer.id if isinstance(answer, Created) else answer for answer in answers]


def _create_one(conn: Connection, shop_id: int, fields: CustomerFields, now: datetime) -> int | UserErrors:
    return in_savepoint(conn, lambda: rules.create_customer(conn, shop_id, fields, now))


class CustomerUpdateBatch:
    """Updates checked in input order against the customers and contacts the batch read once, and its own
    earlier updates; written with one executemany UPDATE per set of changed columns. An update of a customer
    already pending flushes first, so each answer is the row as stored right after its update."""

    def __init__(self, conn: Connection, shop_id: int, now: datetime) -> None:
        self.conn, self.shop_id, self.now = conn, shop_id, now
        self._current: dict[int, SimpleNamespace] = {}
        self._holders: dict[str, dict[str, set[int]]] = {column: {} for column in _CONTACTS}
        self._pending: dict[int, dict[str, Any]] = {}
        self._slots: list[tuple[int, int]] = []
        self._answers: list[Any] = []

    def learn(self, inputs: Sequence[tuple[int | None, CustomerFields]]) -> None:
        """The customers the inputs update, and who holds the emails and phones they give (one query per
        kind and 500 values)."""
        found = rules.get_customers(self.conn, self.shop_id, sorted({n for n, _ in inputs if n is not None}))
        self._current = {number: SimpleNamespace(**row._mapping) for number, row in found.items()}
        wanted = {"email": {f.email.strip().lower() for _, f in inputs if f.email and f.email.strip()},
                  "phone": {rules.normalized_phone(f.phone) for _, f in inputs if f.phone and f.phone.strip()}}
        for column, values in wanted.items():
            ordered = sorted(values)
            for start in range(0, len(ordered), _LOOKUP_SIZE):
                for row in self.conn.execute(select(customers.c.id, customers.c[column]).where(
                        customers.c.shop_id == self.shop_id, customers.c[column].in_(ordered[start:start + _LOOKUP_SIZE]))):
                    self._holders[column].setdefault(row[1], set()).add(row.id)

    def add(self, number: int | None, fields: CustomerFields) -> None:
        current = self._current.get(number) if number is not None else None
        if number is None or current is None:
            self._answers.append(UserErrors([UserError("Customer does not exist", ["id"])]))
            return
        if number in self._pending:
            self.flush()
        try:
            values = rules.validate_update(fields, current, self.now, self._taken_by_another(number))
        except UserErrors as errors:
            self._answers.append(errors)
            return
        for column in _CONTACTS:
            if column in values:
                self._holders[column].get(getattr(current, column), set()).discard(number)
                self._holders[column].setdefault(values[column], set()).add(number)
        for name, value in values.items():
            setattr(current, name, value)
        self._pending[number] = values
        self._slots.append((len(self._answers), number))
        self._answers.append(None)

    def _taken_by_another(self, number: int) -> rules.Taken:
        def taken(column: str, value: str) -> bool:
            return bool(self._holders[column].get(value, set()) - {number})

        return taken

    def flush(self) -> None:
        """Write the pending updates; each one's answer becomes its customer's row as stored."""
        if not self._pending:
            return
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for number, values in self._pending.items():
            by_columns.setdefault(tuple(sorted(values)), []).append(
                {"_id": number, **{f"_{name}": value for name, value in values.items()}})
        for names, params in by_columns.items():
            self.conn.execute(update(customers).where(customers.c.id == bindparam("_id")).values(
                {**{name: bindparam(f"_{name}") for name in names}, "updated_at": self.now}), params)
        rows = rules.get_customers(self.conn, self.shop_id, list(self._pending))
        for slot, number in self._slots:
            self._answers[slot] = rows[number]
        self._pending, self._slots = {}, []

    def finish(self) -> list[Any]:
        self.flush()
        return self._answers


def update_many(conn: Connection, shop_id: int, inputs: Sequence[tuple[int | None, CustomerFields]],
                now: datetime) -> list[Any]:
    """customerUpdate for any number of (customer id, fields) inputs, in order (a later input sees an earlier
    one): each answers its customer's row as stored after it, or its errors (then it wrote nothing). The only
    way customers are updated: the synchronous mutation is a batch of one."""
    batch = CustomerUpdateBatch(conn, shop_id, now)
    batch.learn(inputs)
    for number, fields in inputs:
        batch.add(number, fields)
    return batch.finish()
