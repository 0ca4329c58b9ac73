"""``orders`` and an order's ``lineItems`` and ``shippingLines``: search fields and sort keys, for the paginated
resolvers and the bulk export alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false

from bulkops.db.tables import customers, order_line_items, order_shipping_lines, order_transactions, orders
from bulkops.domain.listing import Listing, Search, through
from bulkops.domain.rest_paging import RestChoice, RestListing
from bulkops.domain.search_syntax import Term

FULFILLMENT_SEARCH = {
    "shipped": ("FULFILLED",), "fulfilled": ("FULFILLED",), "partial": ("PARTIALLY_FULFILLED",),
    "unshipped": ("UNFULFILLED",), "unfulfilled": ("UNFULFILLED", "PARTIALLY_FULFILLED"),
    "restocked": ("RESTOCKED",),
}
"""``fulfillment_status:`` values (Shopify's search words) -> the stored ``displayFulfillmentStatus``es."""


def _fulfillment(conn: Connection, shop_id: int, term: Term) -> Any:
    value = term.value.lower()
    statuses = FULFILLMENT_SEARCH.get(value, (value.upper(),))
    return orders.c.fulfillment_status.in_(statuses)


ORDER_STATUSES: dict[str, ColumnElement[bool] | None] = {
    "open": and_(orders.c.closed_at.is_(None), orders.c.cancelled_at.is_(None)),
    "closed": orders.c.closed_at.isnot(None),
    "cancelled": orders.c.cancelled_at.isnot(None),
    "any": None,
}
"""An order's status words (search's ``status:`` and REST's ``status=``) -> its condition (None: every order).
Open is neither closed nor cancelled, as the admin shows a cancelled order as Cancelled, not Open (UNCONFIRMED
for REST's ``status=open``: its docs say only "open orders")."""


def _status(conn: Connection, shop_id: int, term: Term) -> Any:
    """``status:open|closed|cancelled|not_closed|any``."""
    value = term.value.lower()
    if value == "not_closed":
        return orders.c.closed_at.is_(None)
    if value not in ORDER_STATUSES:
        return false()
    condition = ORDER_STATUSES[value]
    return orders.c.id.isnot(None) if condition is None else condition


def _total_price(conn: Connection, shop_id: int, term: Term) -> Any:
    """``current_total_price:>100``: the total in the shop's currency (kept in cents)."""
    try:
        cents = int((Decimal(term.value) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return false()
    column = orders.c.total_cents
    return {">": column > cents, ">=": column >= cents, "<": column < cents,
            "<=": column <= cents}.get(term.comparator, column == cents)


ORDERS = Listing(
    "Order", orders,
    sort_keys={"ID": orders.c.id, "CREATED_AT": orders.c.created_at, "UPDATED_AT": orders.c.updated_at,
               "PROCESSED_AT": orders.c.processed_at, "ORDER_NUMBER": orders.c.number,
               "TOTAL_PRICE": orders.c.total_cents, "CURRENT_TOTAL_PRICE": orders.c.total_cents,
               "FINANCIAL_STATUS": orders.c.financial_status, "FULFILLMENT_STATUS": orders.c.fulfillment_status,
               "PO_NUMBER": orders.c.po_number, "TOTAL_ITEMS_QUANTITY": orders.c.subtotal_quantity,
               "CUSTOMER_NAME": orders.c.email, "DESTINATION": orders.c.id, "RELEVANCE": orders.c.id},
    default_sort="PROCESSED_AT",
    search=Search(
        fields={"name": orders.c.name, "email": orders.c.email, "phone": orders.c.phone, "tag": orders.c.tags,
                "financial_status": orders.c.financial_status, "created_at": orders.c.created_at,
                "updated_at": orders.c.updated_at, "processed_at": orders.c.processed_at, "id": orders.c.id,
                "customer_id": orders.c.customer_id, "test": orders.c.test, "source_name": orders.c.source_name,
                "source_identifier": orders.c.source_identifier, "po_number": orders.c.po_number,
                "discount_code": orders.c.discount_code, "currency": orders.c.currency_code,
                "subtotal_line_items_quantity": orders.c.subtotal_quantity, "total_weight": orders.c.total_weight},
        default=orders.c.name,
        lookups={"fulfillment_status": _fulfillment, "status": _status, "current_total_price": _total_price,
                 "gateway": through(orders.c.id, order_transactions.c.order_id, order_transactions.c.gateway),
                 "sku": through(orders.c.id, order_line_items.c.order_id, order_line_items.c.sku),
                 "product_id": through(orders.c.id, order_line_items.c.order_id, order_line_items.c.product_id),
                 "customer_email": through(orders.c.customer_id, customers.c.id, customers.c.email)},
        negating_aliases={"tag_not": "tag"},
    ),
)
"""``orders``: most recently processed last unless reversed (Shopify's default sort key is PROCESSED_AT)."""

CUSTOMER_ORDERS = Listing("Order", orders, sort_keys=ORDERS.sort_keys, default_sort="ID", search=ORDERS.search,
                          parent=orders.c.customer_id)
"""``Customer.orders``: the customer's orders (its ``sortKey`` defaults to ID)."""

LINE_ITEMS = Listing("LineItem", order_line_items, sort_keys={"ID": order_line_items.c.id}, default_sort="ID",
                     parent=order_line_items.c.order_id)
"""``Order.lineItems``: in the order they were given (ids rise with it)."""

AGREEMENTS = Listing("OrderAgreement", orders, sort_keys={"ID": orders.c.id}, default_sort="ID", parent=orders.c.id)
"""``Order.agreements``: the order's one sale agreement, read from its own row (see ``fields.ORDER_AGREEMENT``)."""

PRODUCT_SALES = Listing("ProductSale", order_line_items, sort_keys={"ID": order_line_items.c.id}, default_sort="ID",
                        parent=order_line_items.c.order_id)
"""``OrderAgreement.sales``: a sale per line item of the agreement's order."""

SHIPPING_LINES = Listing("ShippingLine", order_shipping_lines, sort_keys={"ID": order_shipping_lines.c.id},
                         default_sort="ID", parent=order_shipping_lines.c.order_id)
"""``Order.shippingLines``."""

def _financial(*statuses: str) -> Any:
    return orders.c.financial_status.in_(statuses)


REST_FINANCIAL_STATUSES: dict[str, Any] = {
    **{word: _financial(word.upper()) for word in ("authorized", "pending", "paid", "partially_paid", "refunded",
                                                   "voided", "partially_refunded")},
    "unpaid": _financial("AUTHORIZED", "PARTIALLY_PAID"), "any": None,
}
"""REST's ``financial_status=`` words (Shopify's docs: ``unpaid`` is authorized or partially paid)."""

REST_FULFILLMENT_STATUSES: dict[str, Any] = {
    **{word: orders.c.fulfillment_status.in_(FULFILLMENT_SEARCH[word])
       for word in ("shipped", "partial", "unshipped", "unfulfilled")},
    "any": None,
}
"""REST's ``fulfillment_status=`` words (Shopify's docs: ``unfulfilled`` is unshipped or partial)."""

ORDERS_REST = RestListing(orders, choices={
    "status": RestChoice(ORDER_STATUSES, default="open"),
    "financial_status": RestChoice(REST_FINANCIAL_STATUSES, default="any"),
    "fulfillment_status": RestChoice(REST_FULFILLMENT_STATUSES, default="any"),
})
"""``GET orders.json``: by id, with the filters every REST list shares (``processed_at_min/max`` too) and
Shopify's ``status`` (``open`` unless asked: connectors send ``status=any``), ``financial_status`` and
``fulfillment_status``."""

TENDER_KINDS = ("SALE", "CAPTURE", "REFUND")
"""The transactions that move money (an authorization moves none until captured)."""

TENDER_TRANSACTIONS_REST = RestListing(order_transactions, where=(
    order_transactions.c.kind.in_(TENDER_KINDS), order_transactions.c.status == "SUCCESS"))
"""``GET tender_transactions.json``: the orders' successful money movements, by id, with the shared filters
(and ``processed_at_min/max``, on or after and on or before as every REST time bound: UNCONFIRMED at the
edges)."""
