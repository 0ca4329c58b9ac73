"""collectionAddProducts for many inputs at once: :func:`add_products_many`, the only way products are added to
a collection by that mutation (the synchronous mutation is a batch of one).

The batch reads what its inputs touch once (the collections, which products exist, which of them each
collection already holds, each collection's last position), checks the inputs in order against that and its
own additions, and writes every new membership with one executemany INSERT and the collections' ``updatedAt``
with one UPDATE. Its answers need no read-back: an addition changes no column of the collection but
``updated_at``, which every input of the batch sets to the same ``now``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from bulkops.db.tables import collection_products, collections, products
from bulkops.protocol.errors import UserError, UserErrors

_LOOKUP_SIZE = 500
"""Values per ``IN (...)`` lookup (well under SQLite's and PostgreSQL's parameter limits)."""

AddInput = tuple[int | None, list[int | None]]
"""(the collection's id, the products' ids, in order); None: a gid of another type (nothing has it)."""


class AddProductsBatch:
    def __init__(self, conn: Connection, shop_id: int, now: datetime) -> None:
        self.conn, self.shop_id, self.now = conn, shop_id, now
        self._collections: dict[int, Any] = {}
        self._products: set[int] = set()
        self._members: set[tuple[int, int]] = set()
        self._last: dict[int, int] = {}
        self._rows: list[dict[str, Any]] = []
        self._touched: set[int] = set()

    def learn(self, inputs: Sequence[AddInput]) -> None:
        """The inputs' collections, existing products and memberships, read once (a query per 500 ids)."""
        wanted = sorted({c for c, _ in inputs if c is not None})
        wanted_products = sorted({p for _, ids in inputs for p in ids if p is not None})
        for part in _parts(wanted):
            self._collections |= {row.id: row for row in self.conn.execute(select(collections).where(
                collections.c.shop_id == self.shop_id, collections.c.id.in_(part)))}
            self._last |= dict(self.conn.execute(select(
                collection_products.c.collection_id, func.max(collection_products.c.position)).where(
                collection_products.c.collection_id.in_(part)).group_by(collection_products.c.collection_id)).all())
            for products_part in _parts(wanted_products):
                self._members |= {(c, p) for c, p in self.conn.execute(select(
                    collection_products.c.collection_id, collection_products.c.product_id).where(
                    collection_products.c.collection_id.in_(part),
                    collection_products.c.product_id.in_(products_part)))}
        for part in _parts(wanted_products):
            self._products |= set(self.conn.scalars(select(products.c.id).where(
                products.c.shop_id == self.shop_id, products.c.id.in_(part))))

    def add(self, collection_id: int | None, product_ids: list[int | None]) -> int | UserErrors:
        """The collection's id once its products are added (in the batch), or the input's errors."""
        row = self._collections.get(collection_id) if collection_id is not None else None
        if collection_id is None or row is None:
            return UserErrors([UserError("Collection does not exist", ["id"])])
        if row.rule_set is not None:
            # UNCONFIRMED wording (collectionCreate's, for the same refusal).
            return UserErrors([UserError("Products cannot be added to a smart collection.", ["id"])])
        if any(p is None or p not in self._products for p in product_ids):
            return UserErrors([UserError("Product does not exist", ["productIds"])])
        if any((collection_id, p) in self._members for p in product_ids):
            # Shopify: "If any of the products is already present in the input collection, then an error is
            # raised and no products are added" (the schema); UNCONFIRMED wording.
            return UserErrors([UserError("Product is already in the collection.", ["productIds"])])
        last = self._last.get(collection_id) or 0
        for product_id in dict.fromkeys(product_ids):
            assert product_id is not None
            last += 1
            self._members.add((collection_id, product_id))
            self._rows.append({"collection_id": collection_id, "product_id": product_id, "position": last})
        self._last[collection_id] = last
        self._touched.add(collection_id)
        return collection_id

    def flush(self) -> None:
        if self._rows:
            self.conn.execute(insert(collection_products), self._rows)
        for part in _parts(sorted(self._touched)):
            self.conn.execute(update(collections).where(collections.c.id.in_(part)).values(updated_at=self.now))
        self._rows, self._touched = [], set()


def add_products_many(conn: Connection, shop_id: int, inputs: Sequence[AddInput], now: datetime
                      ) -> list[int | UserErrors]:
    """collectionAddProducts for any number of inputs, in order (a later input sees an earlier one's products):
    each answers its collection's id, or its errors (then it added nothing)."""
    batch = AddProductsBatch(conn, shop_id, now)
    batch.learn(inputs)
    answers = [batch.add(collection_id, product_ids) for collection_id, product_ids in inputs]
    batch.flush()
    return answers


def _parts(values: list[int]) -> list[list[int]]:
    return [values[start:start + _LOOKUP_SIZE] for start in range(0, len(values), _LOOKUP_SIZE)]
