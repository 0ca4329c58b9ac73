"""``orders.json``: the REST Order resource from the stored order row, its line items and its fulfillments.
Refunds are none (bulkops records none); the REST shape names follow Shopify's Order resource."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bulkops.domain.orders.listing import ORDERS_REST
from bulkops.domain.orders.reads import line_items_of
from bulkops.rest.shapes import RestResource, graphql_id, rest_tags, rest_time

FIRST_ORDER_NUMBER = 1001
"""Shopify's ``order_number`` starts at 1001 and ``number`` at 1 (the same position)."""


FULFILLMENT_STATUSES = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}
"""REST's ``fulfillment_status`` (Shopify's documented words; null for an order nothing of which is fulfilled)."""


def _amount(text: str) -> str:
    """REST writes money with two decimals (``10.00``); rows keep GraphQL's Decimal text (``10.0``)."""
    return f"{Decimal(text):.2f}"


def _money(pair: list[str] | None) -> str:
    return _amount(pair[0]) if pair else "0.00"


def _set(pair: list[str] | None, shop: str, presentment: str) -> dict[str, Any]:
    shown = pair or ["0", "0"]
    return {"shop_money": {"amount": _amount(shown[0]), "currency_code": shop},
            "presentment_money": {"amount": _amount(shown[1]), "currency_code": presentment}}


def _line_item(item: Any) -> dict[str, Any]:
    return {
        "id": item.id, "admin_graphql_api_id": graphql_id("LineItem", item.id), "title": item.title,
        "name": f"{item.title} - {item.variant_title}" if item.variant_title else item.title,
        "variant_title": item.variant_title, "sku": item.sku, "vendor": item.vendor, "quantity": item.quantity,
        "fulfillable_quantity": item.quantity - item.fulfilled_quantity, "price": _amount(item.price),
        "price_set": _set([item.price, item.presentment_price], item.currency_code, item.presentment_currency_code),
        "product_id": item.product_id, "variant_id": item.variant_id, "requires_shipping": item.requires_shipping,
        "taxable": item.taxable, "gift_card": item.gift_card, "grams": item.weight_grams or 0,
        "properties": item.properties or [], "tax_lines": [], "discount_allocations": [], "duties": [],
    }


def _fulfillment(row: Any, index: int, kept: dict[str, Any]) -> dict[str, Any]:
    """The same fulfillment GraphQL's ``Order.fulfillments`` shows (its id is the order's times 100 plus its
    position there)."""
    fulfillment_id = row.id * 100 + index
    return {
        "id": fulfillment_id, "admin_graphql_api_id": graphql_id("Fulfillment", fulfillment_id),
        "order_id": row.id, "name": f"{row.name}.{index}", "status": kept["status"].lower(),
        "created_at": kept["createdAt"], "updated_at": kept["createdAt"],
        "tracking_company": kept.get("trackingCompany"), "tracking_number": kept.get("trackingNumber"),
        "tracking_numbers": [kept["trackingNumber"]] if kept.get("trackingNumber") else [],
        "tracking_url": None, "tracking_urls": [], "line_items": [], "shipment_status": None,
        "location_id": None, "service": "manual",
    }


def present(row: Any, items: list[Any]) -> dict[str, Any]:
    totals, shop, shown = row.totals or {}, row.currency_code, row.presentment_currency_code
    return {
        "id": row.id, "admin_graphql_api_id": graphql_id("Order", row.id), "name": row.name,
        "order_number": row.number, "number": row.number - FIRST_ORDER_NUMBER + 1, "email": row.email,
        "contact_email": row.email, "phone": row.phone, "note": row.note, "tags": rest_tags(row.tags),
        "currency": shop, "presentment_currency": shown, "customer": {"id": row.customer_id}
        if row.customer_id is not None else None,
        "financial_status": (row.financial_status or "").lower() or None,
        "fulfillment_status": FULFILLMENT_STATUSES.get(row.fulfillment_status),
        "processed_at": rest_time(row.processed_at), "closed_at": rest_time(row.closed_at),
        "cancelled_at": rest_time(row.cancelled_at), "created_at": rest_time(row.created_at),
        "updated_at": rest_time(row.updated_at), "test": row.test, "taxes_included": row.taxes_included,
        "buyer_accepts_marketing": row.buyer_accepts_marketing, "source_name": row.source_name,
        "source_identifier": row.source_identifier, "source_url": row.source_url, "po_number": row.po_number,
        "note_attributes": row.custom_attributes or [], "billing_address": row.billing_address,
        "shipping_address": row.shipping_address, "payment_gateway_names": row.payment_gateway_names or [],
        "subtotal_price": _money(totals.get("subtotal")), "total_price": _money(totals.get("total")),
        "total_tax": _money(totals.get("tax")), "total_discounts": _money(totals.get("discounts")),
        "total_price_set": _set(totals.get("total"), shop, shown),
        "subtotal_price_set": _set(totals.get("subtotal"), shop, shown),
        "total_tax_set": _set(totals.get("tax"), shop, shown),
        "total_discounts_set": _set(totals.get("discounts"), shop, shown),
        "total_shipping_price_set": _set(totals.get("shipping"), shop, shown),
        "total_weight": row.total_weight, "line_items": [_line_item(item) for item in items],
        "fulfillments": [_fulfillment(row, index, kept) for index, kept in enumerate(row.fulfillments or [], 1)],
        "refunds": [], "shipping_lines": [], "tax_lines": [], "discount_codes": [], "discount_applications": [],
    }


def present_many(conn: Any, shop_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    items = line_items_of(conn, shop_id, [row.id for row in rows])
    return [present(row, items[row.id]) for row in rows]


ORDERS = RestResource("orders", "order", ORDERS_REST, present_many, metafield_owner="Order")
