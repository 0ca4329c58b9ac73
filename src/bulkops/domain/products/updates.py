"""productUpdate of a product's own fields for many inputs at once: :func:`update_many`, the only way they are
updated (the synchronous mutation is a batch of one; a bulk import's batched writer sends it the chunk's lines),
and ``ProductUpdateBatch``, the writer it uses.

The batch asks in one query which of the chunk's products exist. An input it can vouch for (its product
exists, no errors, no handle) is kept, and consecutive kept inputs setting the same columns are written by one
``executemany`` of ``UPDATE products ... WHERE id = ?`` in input order (so a later line on the same product
wins, as one at a time). Per-input path, at its turn after the kept ones are written
(:func:`rules.update_product`, in a savepoint): a handle (made unique against the shop's, worded when taken),
a product that does not exist, any input with errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, bindparam, select, update

from bulkops.db.tables import products
from bulkops.domain.common import in_savepoint
from bulkops.domain.products import rules
from bulkops.domain.products.rules import ProductFields
from bulkops.protocol.errors import UserErrors

R = TypeVar("R")
_LOOKUP_SIZE = 500
"""Ids per ``IN (...)`` lookup (well under SQLite's and PostgreSQL's parameter limits)."""
_ID = "updated_product_id"
"""The parameter naming the row to update (the others are the columns set: SQLAlchemy's SET clause)."""


@dataclass(frozen=True)
class ProductUpdateInput:
    """One productUpdate input, its product identified (None: no product was named)."""

    product_id: int | None
    fields: ProductFields


class Updated(NamedTuple):
    """An input the batch wrote: the product's id, and its row as the update left it (before any later input)."""

    id: int
    row: Any


class ProductUpdateBatch:
    """Updates kept as parameter rows until :meth:`flush` writes them."""

    def __init__(self, conn: Connection, shop_id: int) -> None:
        self.conn = conn
        self.shop_id = shop_id
        self._rows: list[dict[str, Any]] = []
        self._slots: list[int] = []
        self._existing: set[int] = set()
        self._ids: set[int] = set()
        """The products the kept updates change (each at most once per flush, so that its answer shows the row
        as that update left it)."""

    def run(self, items: Sequence[ProductUpdateInput | None], now: datetime,
            ordinary: Callable[[int], R]) -> list[Updated | R]:
        """Each input written by the batch when it can vouch for it (answering :class:`Updated`); any other
        answered by ``ordinary(index)`` at its turn, after the updates before it are written."""
        out: list[Any] = [None] * len(items)
        self._existing = self._which_exist({i.product_id for i in items if i is not None and i.product_id})
        for index, item in enumerate(items):
            row = None if item is None else self._row(item, now)
            if row is None:
                self.flush(out)
                out[index] = ordinary(index)
                continue
            if self._rows and (self._rows[0].keys() != row.keys() or row[_ID] in self._ids):
                self.flush(out)
            self._rows.append(row)
            self._slots.append(index)
            self._ids.add(row[_ID])
        self.flush(out)
        return out

    def _which_exist(self, ids: set[int]) -> set[int]:
        wanted, found = sorted(ids), set()
        for start in range(0, len(wanted), _LOOKUP_SIZE):
            found |= set(self.conn.scalars(select(products.c.id).where(
                products.c.shop_id == self.shop_id, products.c.id.in_(wanted[start:start + _LOOKUP_SIZE]))))
        return found

    def _row(self, item: ProductUpdateInput, now: datetime) -> dict[str, Any] | None:
        """The update's parameters, or None: update it the ordinary way."""
        fields = item.fields
        if item.product_id not in self._existing or fields.handle is not None or rules.update_errors(fields, []):
            return None
        return {**rules.updated_columns(fields), "updated_at": now, _ID: item.product_id}

    def flush(self, out: list[Any]) -> None:
        """Write the kept updates (all setting the same columns, each on another product) in one executemany,
        then read the rows they left."""
        if not self._rows:
            return
        self.conn.execute(update(products).where(products.c.id == bindparam(_ID)), self._rows)
        rows = products_by_id(self.conn, self.shop_id, self._ids)
        for index, row in zip(self._slots, self._rows, strict=True):
            out[index] = Updated(row[_ID], rows[row[_ID]])
        self._rows, self._slots, self._ids = [], [], set()


def update_many(conn: Connection, shop_id: int, inputs: Sequence[ProductUpdateInput], now: datetime
                ) -> list[int | UserErrors]:
    """productUpdate of the products' own fields for any number of inputs, in order: each answers its
    product's id, or its errors (then it wrote nothing)."""
    batch = ProductUpdateBatch(conn, shop_id)
    answers = batch.run(inputs, now, lambda index: _update_one(conn, shop_id, inputs[index], now))
    return [answer.id if isinstance(answer, Updated) else answer for answer in answers]


def _update_one(conn: Connection, shop_id: int, item: ProductUpdateInput, now: datetime) -> int | UserErrors:
    product_id = -1 if item.product_id is None else item.product_id
    return in_savepoint(conn, lambda: rules.update_product(conn, shop_id, product_id, item.fields, now))


def products_by_id(conn: Connection, shop_id: int, ids: Iterable[int]) -> dict[int, Any]:
    """The shop's products with these ids, as rows by id (a query per 500 ids)."""
    wanted = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), _LOOKUP_SIZE):
        found |= {row.id: row for row in conn.execute(select(products).where(
            products.c.shop_id == shop_id, products.c.id.in_(wanted[start:start + _LOOKUP_SIZE])))}
    return found
