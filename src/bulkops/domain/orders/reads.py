"""Reading orders back: an order by id (scoped to its shop), several at once, and what an order's presenter
cannot read from its own row (its first shipping line, its transactions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from bulkops.db.tables import order_line_items, order_shipping_lines, order_transactions, orders


def get_order(conn: Connection, shop_id: int, order_id: int) -> Any | None:
    return conn.execute(select(orders).where(orders.c.id == order_id, orders.c.shop_id == shop_id)).first()


def get_orders(conn: Connection, shop_id: int, order_ids: list[int]) -> dict[int, Any]:
    """The shop's orders with these ids, by id."""
    stmt = select(orders).where(orders.c.shop_id == shop_id)
    return {row.id: row for row in in_parts(conn, stmt, orders.c.id, set(order_ids))}


def in_parts(conn: Connection, stmt: Any, column: Any, values: set[Any]) -> list[Any]:
    """The rows of ``stmt`` whose ``column`` is one of ``values``, 500 values per query (well under every
    database's parameter limit)."""
    wanted = sorted(values)
    rows: list[Any] = []
    for start in range(0, len(wanted), 500):
        rows += conn.execute(stmt.where(column.in_(wanted[start:start + 500]))).all()
    return rows


def customer_totals(conn: Connection, shop_id: int, customer_id: int) -> tuple[int, int]:
    """How many orders the customer has and what they came to, in cents of the shop's currency."""
    o = orders
    count, cents = conn.execute(select(func.count(), func.coalesce(func.sum(o.c.total_cents), 0)).where(
        o.c.shop_id == shop_id, o.c.customer_id == customer_id)).one()
    return int(count), int(cents)


def last_order(conn: Connection, shop_id: int, customer_id: int) -> Any | None:
    o = orders
    return conn.execute(select(o).where(o.c.shop_id == shop_id, o.c.customer_id == customer_id)
                        .order_by(o.c.processed_at.desc(), o.c.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class CustomerOrders:
    """What a customer's orders come to: as ``customer_totals`` and ``last_order`` read them for one customer."""

    count: int = 0
    cents: int = 0
    last_id: int | None = None
    last_name: str | None = None


def customers_orders(conn: Connection, shop_id: int, customer_ids: list[int]) -> dict[int, CustomerOrders]:
    """Each customer's order count, total (in cents of the shop's currency) and last order (latest processed,
    then highest id), in one query for a page of customers; a customer without orders is absent."""
    o = orders
    by_customer = o.c.customer_id
    latest_first = (o.c.processed_at.desc(), o.c.id.desc())
    ranked = select(
        o.c.customer_id, o.c.id, o.c.name, func.count().over(partition_by=by_customer).label("placed"),
        func.sum(o.c.total_cents).over(partition_by=by_customer).label("cents"),
        func.row_number().over(partition_by=by_customer, order_by=latest_first).label("rank"),
    ).where(o.c.shop_id == shop_id, o.c.customer_id.in_(customer_ids)).subquery()
    rows = conn.execute(select(ranked).where(ranked.c.rank == 1))
    return {row.customer_id: CustomerOrders(int(row.placed), int(row.cents), row.id, row.name) for row in rows}


def first_shipping_line(conn: Connection, shop_id: int, order_id: int) -> Any | None:
    s = order_shipping_lines
    return conn.execute(select(s).where(s.c.shop_id == shop_id, s.c.order_id == order_id)
                        .order_by(s.c.id).limit(1)).first()


def transactions_of(conn: Connection, shop_id: int, order_id: int) -> list[Any]:
    t = order_transactions
    return list(conn.execute(select(t).where(t.c.shop_id == shop_id, t.c.order_id == order_id).order_by(t.c.id)))


def transactions_count(conn: Connection, shop_id: int, order_id: int) -> int:
    t = order_transactions
    return conn.execute(select(func.count()).select_from(t).where(
        t.c.shop_id == shop_id, t.c.order_id == order_id)).scalar_one()


def discount_applications(conn: Connection, shop_id: int, order_ids: list[int]) -> dict[int, list[Any]]:
    """The orders' discount applications (at most one each), by order id, for an export's batch of orders."""
    o = orders
    rows = conn.execute(select(o.c.id, o.c.currency_code, o.c.discount_application).where(
        o.c.shop_id == shop_id, o.c.id.in_(order_ids), o.c.discount_application.isnot(None)))
    return {row.id: [row] for row in rows}


def count_rows(conn: Connection, stmt: Any, limit: int | None) -> tuple[int, str]:
    """How many rows ``stmt`` selects, up to ``limit`` (None: no limit), and the count's precision."""
    bounded = stmt if limit is None else stmt.limit(limit + 1)
    found = conn.execute(select(func.count()).select_from(bounded.subquery())).scalar_one()
    if limit is not None and found > limit:
        return limit, "AT_LEAST"
    return int(found), "EXACT"


def line_items_of(conn: Connection, shop_id: int, order_ids: list[int]) -> dict[int, list[Any]]:
    """The line items of these orders, by order id, in their order (REST embeds them in each order)."""
    stmt = select(order_line_items).where(order_line_items.c.shop_id == shop_id)
    found: dict[int, list[Any]] = {order_id: [] for order_id in order_ids}
    for row in sorted(in_parts(conn, stmt, order_line_items.c.order_id, set(order_ids)), key=lambda r: r.position):
        found[row.order_id].append(row)
    return found


def agreements_of(conn: Connection, shop_id: int, order_ids: list[int]) -> dict[int, list[Any]]:
    """Each order's one sales agreement, read from the order's own row (see ``ORDER_AGREEMENT``)."""
    return {order_id: [row] for order_id, row in get_orders(conn, shop_id, order_ids).items()}
