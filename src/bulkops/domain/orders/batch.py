"""orderCreate for many inputs at once: :func:`create_many`, the only way orders are created (the synchronous
mutation is a batch of one, the bulk writer a chunk).

The batch reads what its inputs refer to once (``rules.Catalog``), checks each input (``rules.prepare``), and
keeps the orders it can vouch for as rows, numbered in input order, until :meth:`OrderBatch.flush` writes them
with one ``INSERT ... RETURNING`` for the orders (ids in input order, on SQLite and PostgreSQL alike) and one
statement per kind of child row. An input whose customer is created or updated (``toUpsert``) is written on
its own at its turn, after a flush, since the customer rules ask the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, func, insert, select

from bulkops.db.tables import customers, order_line_items, order_shipping_lines, order_transactions, orders
from bulkops.domain.common import in_savepoint
from bulkops.domain.customers import rules as customer_rules
from bulkops.domain.customers.batch import update_many
from bulkops.domain.inventory.rules import AdjustInput, QuantityChange, adjust_quantities_many, ensure_default_location
from bulkops.domain.orders.inputs import OrderIn
from bulkops.domain.orders.rules import FIRST_NUMBER, Catalog, Prepared, prepare
from bulkops.protocol.errors import UserError, UserErrors

R = TypeVar("R")
_CHILDREN = ((order_line_items, "line_items"), (order_shipping_lines, "shipping_lines"),
             (order_transactions, "transactions"))


def next_number(conn: Connection, shop_id: int) -> int:
    """The number the shop's next order gets (#1001 first)."""
    last = conn.execute(select(func.max(orders.c.number)).where(orders.c.shop_id == shop_id)).scalar()
    return FIRST_NUMBER if last is None else last + 1


class OrderBatch:
    """Checked orders kept as rows until :meth:`flush` writes them together."""

    def __init__(self, conn: Connection, shop_id: int, now: datetime) -> None:
        self.conn, self.shop_id, self.now = conn, shop_id, now
        self._kept: list[tuple[int, Prepared]] = []
        self._number = next_number(conn, shop_id)

    def run(self, inputs: Sequence[OrderIn | None], ordinary: Callable[[int], R] | None = None
            ) -> list[int | UserErrors | R]:
        """Each input's new order id, or its errors (then it wrote nothing); an input given as None is answered
        by ``ordinary(index)`` at its turn, after the orders before it are written."""
        out: list[Any] = [None] * len(inputs)
        catalog = Catalog.load(self.conn, self.shop_id, [o for o in inputs if o is not None])
        for index, order in enumerate(inputs):
            if order is None:
                assert ordinary is not None, "an input the batch cannot take needs an ordinary path"
                self.flush(out)
                out[index] = ordinary(index)
                self._number = next_number(self.conn, self.shop_id)
                catalog = Catalog.load(self.conn, self.shop_id, [o for o in inputs[index + 1:] if o is not None])
                continue
            try:
                prepared = prepare(order, catalog, self.shop_id, self.now)
            except UserErrors as errors:
                out[index] = errors
                continue
            if not prepared.upsert:
                self._keep(index, order, prepared)
                continue
            self.flush(out)
            out[index] = in_savepoint(self.conn, partial(self._with_customer, order, prepared, catalog))
        self.flush(out)
        return out

    def _keep(self, index: int, order: OrderIn, prepared: Prepared) -> None:
        prepared.order["number"] = self._number
        prepared.order["name"] = order.name or f"#{self._number}"
        self._number += 1
        self._kept.append((index, prepared))

    def _with_customer(self, order: OrderIn, prepared: Prepared, catalog: Catalog) -> int:
        """The order with its customer created or updated first (the customer's errors name their input)."""
        customer_id = _upserted_customer(self.conn, self.shop_id, order, catalog, self.now)
        row = customer_rules.get_customer(self.conn, self.shop_id, customer_id)
        assert row is not None, "the customer just written"
        catalog.customers_by_id[customer_id] = row
        if row.email:
            catalog.customers_by_email[row.email] = row
        prepared.order["customer_id"] = customer_id
        prepared.order["email"] = prepared.order["email"] or row.email
        out: list[Any] = [None]
        self._keep(0, order, prepared)
        self.flush(out)
        return int(out[0])

    def flush(self, out: list[Any]) -> None:
        """Write the kept orders and their children; each order's id goes to its input's place in ``out``."""
        if not self._kept:
            return
        statement = insert(orders).returning(orders.c.id, sort_by_parameter_order=True)
        ids = [row.id for row in self.conn.execute(statement, [p.order for _, p in self._kept])]
        for table, attr in _CHILDREN:
            rows = [{**child, "order_id": order_id} for (_, p), order_id in zip(self._kept, ids, strict=True)
                    for child in getattr(p, attr)]
            if rows:
                self.conn.execute(insert(table), rows)
        self._claim([(order_id, p.claims) for (_, p), order_id in zip(self._kept, ids, strict=True) if p.claims])
        for (index, _), order_id in zip(self._kept, ids, strict=True):
            out[index] = order_id
        self._kept = []

    def _claim(self, claims: list[tuple[int, list[tuple[int, int]]]]) -> None:
        """Take the orders' units from the primary location's ``available`` (one adjustment per order, its
        reference document the order, as Shopify records it), in one inventory batch."""
        if not claims:
            return
        location_id = ensure_default_location(self.conn, self.shop_id, self.now)
        inputs = [AdjustInput("available", "other", [QuantityChange(variant_id, location_id, -units)
                                                     for variant_id, units in units_of],
                              f"gid://shopify/Order/{order_id}") for order_id, units_of in claims]
        outcomes = adjust_quantities_many(self.conn, self.shop_id, inputs, self.now)
        refused = [error for outcome in outcomes for error in outcome.errors]
        if refused:
            raise RuntimeError(f"an order's inventory claim was refused: {refused[0].message}")


def _upserted_customer(conn: Connection, shop_id: int, order: OrderIn, catalog: Catalog, now: datetime) -> int:
    chosen = order.customer
    assert chosen is not None and chosen.upsert is not None
    fields = chosen.upsert
    existing = chosen.upsert_id
    if existing is None and fields.email:
        found = conn.execute(select(customers.c.id).where(
            customers.c.shop_id == shop_id, customers.c.email == fields.email.strip().lower())).first()
        existing = found.id if found is not None else None
    try:
        if existing is not None:
            [updated] = update_many(conn, shop_id, [(existing, fields)], now)
            if isinstance(updated, UserErrors):
                raise updated
            return int(updated.id)
        return customer_rules.create_customer(conn, shop_id, fields, now)
    except (UserError, UserErrors) as error:
        raise UserErrors([_upsert_error(e) for e in (error.errors if isinstance(error, UserErrors) else [error])]
                         ) from error


def _upsert_error(error: UserError) -> UserError:
    return UserError(error.message, ["order", "customer", "toUpsert", *(error.field or [])], "INVALID")


def create_many(conn: Connection, shop_id: int, inputs: Sequence[OrderIn], now: datetime) -> list[int | UserErrors]:
    """orderCreate for any number of inputs, in order: each answers its new order's id, or its errors."""
    return OrderBatch(conn, shop_id, now).run(inputs)  # type: ignore[return-value]
