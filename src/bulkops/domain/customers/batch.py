"""customerCreate for many inputs at once: :func:`create_many`, the only way customers are created (the
synchronous mutation is a batch of one), and ``CustomerCreateBatch``, the writer it uses.

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
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, insert, select

from bulkops.db.tables import customers
from bulkops.domain.common import in_savepoint
from bulkops.domain.customers import rules
from bulkops.domain.customers.rules import CustomerFields
from bulkops.protocol.errors import UserErrors

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
