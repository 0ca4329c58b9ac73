"""Orders from a loaded export (``bulkops load``): what a node's document gives the orders tables beyond its
field map's plain columns (which the loader reads itself): money bags into ``totals`` and prices, addresses, the
order's number, a line item's product and variant, an order's inline ``transactions``."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from bulkops.db.tables import order_transactions, orders
from bulkops.domain.customers.rules import ADDRESS_KEYS
from bulkops.domain.money import SHOP_CURRENCY, parse_amount
from bulkops.domain.orders.batch import next_number
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

TOTALS = {
    "totalPriceSet": "total", "currentTotalPriceSet": "total", "originalTotalPriceSet": "total",
    "subtotalPriceSet": "subtotal", "currentSubtotalPriceSet": "subtotal",
    "totalShippingPriceSet": "shipping", "currentShippingPriceSet": "shipping",
    "totalTaxSet": "tax", "currentTotalTaxSet": "tax", "totalDiscountsSet": "discounts",
    "currentTotalDiscountsSet": "discounts", "totalReceivedSet": "received", "netPaymentSet": "received",
    "totalRefundedSet": "refunded", "totalTipReceivedSet": "tip",
}
"""An order's ``MoneyBag`` fields -> the ``totals`` entry that answers them (domain/orders/fields.py)."""
_NAME_NUMBER = re.compile(r"^#?(\d+)$")


def bag(raw: Any) -> tuple[list[str], str | None, str | None] | None:
    """A ``MoneyBag``'s ``[shop amount, presentment amount]`` and both currencies; None when it shows no amount."""
    if not isinstance(raw, dict) or not isinstance(raw.get("shopMoney"), dict):
        return None
    shop: dict[str, Any] = raw["shopMoney"]
    given = raw.get("presentmentMoney")
    presentment: dict[str, Any] = given if isinstance(given, dict) else shop
    if shop.get("amount") is None:
        return None
    amount = str(shop["amount"])
    return ([amount, str(presentment.get("amount") if presentment.get("amount") is not None else amount)],
            shop.get("currencyCode"), presentment.get("currencyCode") or shop.get("currencyCode"))


def loaded_address(raw: Any) -> dict[str, Any] | None:
    """A ``MailingAddress`` as an order keeps it (``countryCodeV2`` is the stored ``countryCode``)."""
    if not isinstance(raw, dict):
        return None
    kept = {key: raw.get(key) for key in ADDRESS_KEYS}
    kept["countryCode"] = raw.get("countryCodeV2") or raw.get("countryCode")
    return kept


def tax_lines(raw: Any) -> list[dict[str, Any]] | None:
    """``taxLines`` as the orders tables keep them (``price`` the ``priceSet`` amounts); None when not shown."""
    if not isinstance(raw, list):
        return None
    kept = []
    for line in raw:
        if isinstance(line, dict) and line.get("rate") is not None:
            price = bag(line.get("priceSet"))
            kept.append({"title": line.get("title"), "rate": str(line["rate"]),
                         "channelLiable": line.get("channelLiable"),
                         "price": price[0] if price else [str(line.get("price") or "0.0")] * 2})
    return kept


def _with_tax_lines(row: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    kept = tax_lines(document.get("taxLines"))
    return row if kept is None else {**row, "tax_lines": kept}


def order_row(document: dict[str, Any], plain: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An order's row (but ``number``, ``customer_id``): its plain columns, its totals from its money bags."""
    row = _with_tax_lines(dict(plain), document)
    weight = document.get("totalWeight")
    if isinstance(weight, (str, int)) and str(weight).isdigit():
        row["total_weight"] = int(weight)
    totals: dict[str, list[str]] = {}
    currencies: list[str | None] = [row.get("currency_code"), row.get("presentment_currency_code")]
    for name, key in TOTALS.items():
        found = bag(document.get(name))
        if found is not None:
            totals.setdefault(key, found[0])
            currencies = [currencies[0] or found[1], currencies[1] or found[2]]
    row["totals"] = totals
    row["total_cents"] = _cents(totals.get("total", ["0"])[0])
    row["currency_code"] = currencies[0] or SHOP_CURRENCY
    row["presentment_currency_code"] = currencies[1] or row["currency_code"]
    for name, column in (("shippingAddress", "shipping_address"), ("billingAddress", "billing_address")):
        if name in document:
            row[column] = loaded_address(document[name])
    codes = document.get("discountCodes")
    if isinstance(codes, list) and codes and "discount_code" not in row:
        row["discount_code"] = codes[0]
    row.setdefault("fulfillment_status", "UNFULFILLED")
    row.setdefault("processed_at", row.get("created_at") or now)
    return row


def _cents(amount: str) -> int:
    value = parse_amount(amount) or Decimal(0)
    return int((value * 100).to_integral_value(ROUND_HALF_UP))


def order_number(conn: Connection, shop_id: int, order_id: int, row: dict[str, Any]) -> int:
    """The loaded order's number: the one it has (loaded again), its ``number``, the one its name shows
    (``#1001``), else the shop's next (an order's number is unique in its shop)."""
    o = orders.c
    kept = conn.execute(select(o.number).where(o.id == order_id, o.shop_id == shop_id)).scalar()
    if kept is not None:
        return int(kept)
    shown = _NAME_NUMBER.match(str(row.get("name") or ""))
    wanted = row.get("number") or (int(shown.group(1)) if shown else None)
    if wanted is not None and conn.execute(select(o.id).where(o.shop_id == shop_id, o.number == wanted)
                                           ).first() is None:
        return int(wanted)
    return next_number(conn, shop_id)


def _number_of(raw: Any, type_name: str) -> int | None:
    """The number of ``{ id }`` naming a node of ``type_name`` (None when it names none)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None
    try:
        kind, number = parse_gid(raw["id"])
    except InvalidGlobalId:
        return None
    return number if kind == type_name else None


def line_item_row(document: dict[str, Any], plain: dict[str, Any], order: Any) -> dict[str, Any]:
    """A line item's row (but ``position``): its price from ``originalUnitPriceSet``, its title from its name
    when the export showed no title, its product and variant by id."""
    row = _with_tax_lines({**plain, "order_id": order.id}, document)
    price = bag(document.get("originalUnitPriceSet"))
    amounts = price[0] if price else [str(document.get("originalUnitPrice") or "0.0")] * 2
    row.update(price=amounts[0], presentment_price=amounts[1],
               currency_code=(price[1] if price else None) or order.currency_code,
               presentment_currency_code=(price[2] if price else None) or order.presentment_currency_code)
    if "title" not in row:
        name, variant_title = str(document.get("name") or ""), row.get("variant_title")
        suffix = f" - {variant_title}" if variant_title else None
        row["title"] = name[:-len(suffix)] if suffix and name.endswith(suffix) else name
    row.setdefault("quantity", 0)
    unfulfilled = document.get("unfulfilledQuantity")
    row["fulfilled_quantity"] = row["quantity"] - unfulfilled if isinstance(unfulfilled, int) else 0
    row["product_id"] = _number_of(document.get("product"), "Product")
    row["variant_id"] = _number_of(document.get("variant"), "ProductVariant")
    return row


def shipping_line_row(document: dict[str, Any], plain: dict[str, Any], order: Any) -> dict[str, Any]:
    """A shipping line's row (but ``position``): its price from ``originalPriceSet``."""
    price = bag(document.get("originalPriceSet")) or bag(document.get("discountedPriceSet"))
    amounts = price[0] if price else [str(document.get("price") or "0.0")] * 2
    return {**_with_tax_lines(plain, document), "order_id": order.id, "title": plain.get("title") or "",
            "price": amounts[0],
            "presentment_price": amounts[1], "currency_code": order.currency_code,
            "presentment_currency_code": order.presentment_currency_code}


def transaction_row(document: dict[str, Any], plain: dict[str, Any], order: Any, now: datetime
                    ) -> dict[str, Any]:
    """A transaction's row: its amount from ``amountSet`` (``SALE``/``SUCCESS`` when the export showed none)."""
    amount = bag(document.get("amountSet"))
    amounts = amount[0] if amount else [str(document.get("amount") or "0.0")] * 2
    row = {**plain, "order_id": order.id, "amount": amounts[0], "presentment_amount": amounts[1],
           "currency_code": order.currency_code, "presentment_currency_code": order.presentment_currency_code}
    row.setdefault("kind", "SALE")
    row.setdefault("status", "SUCCESS")
    row.setdefault("created_at", now)
    row.setdefault("processed_at", row["created_at"])
    return row


def replace_transactions(conn: Connection, shop_id: int, order: Any,
                         transactions: list[tuple[dict[str, Any], dict[str, Any]]], now: datetime) -> None:
    """An order's inline ``transactions`` (a list, not a connection: they come inside the order's line), each
    as (its document, its plain columns)."""
    t = order_transactions
    conn.execute(delete(t).where(t.c.shop_id == shop_id, t.c.order_id == order.id))
    for document, plain in transactions:
        row = transaction_row(document, plain, order, now)
        if isinstance(document.get("id"), str):
            row["id"] = parse_gid(document["id"])[1]
        conn.execute(insert(t), {**row, "shop_id": shop_id})
