"""orderCreate: Shopify's checks as userErrors (``OrderCreateUserErrorCode``), the order's totals worked out
once when it is created (kept in its row, in shop and presentment amounts), and its customer associated,
found by email, or created.

:func:`create_many` is the only way orders are created: the synchronous mutation is a batch of one, the bulk
writer a chunk. It reads what the whole batch refers to (variants, products, customers, locations) once,
checks each input against that, and writes the orders it can vouch for with one statement per table, ids in
input order. An input that creates or updates a customer is written on its own at its turn (the customer
rules ask the database), after the orders before it.

The wording of most messages is not recorded from Shopify (UNCONFIRMED): each keeps Shopify's codes and
field paths and says plainly what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, select

from bulkops.clock import iso_z
from bulkops.db.tables import (
    customers,
    locations,
    product_variants,
    products,
)
from bulkops.domain.common import normalize_tags
from bulkops.domain.customers.rules import ADDRESS_KEYS
from bulkops.domain.money import SHOP_CURRENCY, amount_text, parse_amount
from bulkops.domain.orders.inputs import LineItemIn, MoneyIn, OrderIn, TaxLineIn
from bulkops.domain.orders.reads import in_parts
from bulkops.protocol.errors import UserError, UserErrors

FIRST_NUMBER = 1001
"""A shop's first order is #1001, as at Shopify."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CENT = Decimal("0.01")
PAID_KINDS = {"SALE", "CAPTURE"}
FULFILLMENT_STATUSES = {"FULFILLED": "FULFILLED", "PARTIAL": "PARTIALLY_FULFILLED", "RESTOCKED": "RESTOCKED"}
"""``OrderCreateFulfillmentStatus`` -> the order's ``displayFulfillmentStatus``."""

Pair = tuple[Decimal, Decimal]
"""An amount in the shop's currency and in the presentment currency."""
ZERO: Pair = (Decimal(0), Decimal(0))


def _add(*pairs: Pair) -> Pair:
    return (sum((p[0] for p in pairs), Decimal(0)), sum((p[1] for p in pairs), Decimal(0)))


def _times(pair: Pair, factor: Decimal) -> Pair:
    return ((pair[0] * factor).quantize(_CENT, ROUND_HALF_UP), (pair[1] * factor).quantize(_CENT, ROUND_HALF_UP))


def bag_json(pair: Pair) -> list[str]:
    """How a pair is kept in JSON: ``[shop amount, presentment amount]``, as Shopify's Decimal text."""
    return [amount_text(pair[0]), amount_text(pair[1])]


def parse_moment(raw: str | None) -> datetime | None:
    """A DateTime input as naive UTC (how times are kept); ValueError when it is none."""
    if raw is None:
        return None
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _error(message: str, path: list[Any], code: str = "INVALID") -> UserError:
    return UserError(message, ["order", *(str(p) for p in path)], code)


# ---- what a batch refers to, read once ------------------------------------------------------------------
@dataclass
class Catalog:
    """The rows a batch of inputs refers to, read with one query per table."""

    variants: dict[int, Any] = field(default_factory=dict)
    products: dict[int, Any] = field(default_factory=dict)
    customers_by_id: dict[int, Any] = field(default_factory=dict)
    customers_by_email: dict[str, Any] = field(default_factory=dict)
    locations: set[int] = field(default_factory=set)
    claimed: dict[int, int] = field(default_factory=dict)
    """Units of each variant the batch's earlier orders claimed (not yet in ``inventory_quantity``)."""

    @classmethod
    def load(cls, conn: Connection, shop_id: int, inputs: Sequence[OrderIn]) -> Catalog:
        variant_ids = {li.variant_id for o in inputs for li in o.line_items or () if li.variant_id is not None}
        product_ids = {li.product_id for o in inputs for li in o.line_items or () if li.product_id is not None}
        customer_ids = {i for o in inputs for i in _customer_ids(o) if i is not None}
        emails = {e.strip().lower() for o in inputs for e in _customer_emails(o) if e}
        location_ids = {o.fulfillment.location_id for o in inputs if o.fulfillment and o.fulfillment.location_id}
        catalog = cls()
        v, p = product_variants, products
        for row in in_parts(conn, select(v.c.id, v.c.product_id, v.c.title, v.c.sku, v.c.price, v.c.taxable, v.c.inventory_quantity,
                                          v.c.inventory_policy,
                                          p.c.title.label("product_title"), p.c.vendor).join(
                p, p.c.id == v.c.product_id).where(v.c.shop_id == shop_id), v.c.id, variant_ids):
            catalog.variants[row.id] = row
            product_ids.add(row.product_id)
        for row in in_parts(conn, select(p.c.id, p.c.title, p.c.vendor).where(p.c.shop_id == shop_id), p.c.id,
                             product_ids):
            catalog.products[row.id] = row
        c = customers
        for row in in_parts(conn, select(c).where(c.c.shop_id == shop_id), c.c.id, customer_ids):
            catalog.customers_by_id[row.id] = row
        for row in in_parts(conn, select(c).where(c.c.shop_id == shop_id), c.c.email, emails):
            catalog.customers_by_email[row.email] = row
        catalog.locations = {row.id for row in in_parts(
            conn, select(locations.c.id).where(locations.c.shop_id == shop_id), locations.c.id, location_ids)}
        return catalog


def _customer_ids(order: OrderIn) -> list[int | None]:
    chosen = order.customer
    return [order.customer_id, *([chosen.associate_id, chosen.upsert_id] if chosen else [])]


def _customer_emails(order: OrderIn) -> list[str | None]:
    chosen = order.customer
    upsert_email = chosen.upsert.email if chosen and chosen.upsert else None
    return [order.email, *([chosen.associate_email, upsert_email] if chosen else [])]


# ---- one input checked and turned into rows -------------------------------------------------------------
@dataclass
class Prepared:
    """An input that passed every check: its order row (but ``number``/``name`` when not given) and children."""

    order: dict[str, Any]
    line_items: list[dict[str, Any]]
    shipping_lines: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    upsert: bool
    """It creates or updates its customer (written on its own, at its turn)."""
    claims: list[tuple[int, int]] = field(default_factory=list)
    """(variant id, units) the order claims from the primary location's ``available``."""


class _Checks:
    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def money(self, raw: MoneyIn | None, path: list[Any], message: str) -> Pair | None:
        """The amounts of a MoneyBagInput (None when absent); an error when negative or not a number."""
        if raw is None:
            return None
        shop = parse_amount(raw.amount)
        presentment = shop if raw.presentment is None else parse_amount(raw.presentment)
        if shop is None or presentment is None or shop < 0 or presentment < 0:
            self.errors.append(_error(message, path))
            return None
        return shop, presentment

    def tax_lines(self, lines: Sequence[TaxLineIn], base: Pair, path: list[Any]) -> list[dict[str, Any]]:
        kept = []
        for index, line in enumerate(lines):
            rate = parse_amount(line.rate) if line.rate not in (None, "") else None
            if rate is None:
                # TAX_LINE_RATE_MISSING: enforced on line item and shipping line tax lines (the schema says so).
                self.errors.append(_error("Tax line rate is missing", [*path, index, "rate"], "TAX_LINE_RATE_MISSING"))
                continue
            price = self.money(line.price, [*path, index, "priceSet"], "Price must be greater than or equal to 0")
            kept.append({"title": line.title, "rate": str(rate), "channelLiable": line.channel_liable,
                         "price": bag_json(price if price is not None else _times(base, rate))})
        return kept


@dataclass
class _Checked:
    """One input's parts once every check passed."""

    customer_id: int | None
    email: str | None
    processed_at: datetime
    closed_at: datetime | None
    items: list[tuple[dict[str, Any], Pair]]
    shipping: list[tuple[dict[str, Any], Pair]]
    subtotal: Pair
    discount: tuple[Pair, Pair]
    order_taxes: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    claims: list[tuple[int, int]]


def prepare(order: OrderIn, catalog: Catalog, shop_id: int, now: datetime) -> Prepared:
    """The rows of one input, or UserErrors naming everything wrong with it; its inventory claims count
    against the catalog from then on."""
    checked = _checked(order, catalog, shop_id, now)
    for variant_id, units in checked.claims:
        catalog.claimed[variant_id] = catalog.claimed.get(variant_id, 0) + units
    return _assembled(order, checked, shop_id, now)


def _checked(order: OrderIn, catalog: Catalog, shop_id: int, now: datetime) -> _Checked:
    checks = _Checks()
    customer_id, email = _customer(order, catalog, checks)
    processed_at = _moment(order.processed_at, ["processedAt"], checks) or now
    if processed_at > now:
        checks.errors.append(_error("Processed at must not be in the future", ["processedAt"], "PROCESSED_AT_INVALID"))
    closed_at = _moment(order.closed_at, ["closedAt"], checks)
    if email is not None and not _EMAIL.match(email):
        checks.errors.append(_error("Email is invalid", ["email"]))
    items = _line_items(order, catalog, checks, shop_id)
    shipping = _shipping_lines(order, checks, shop_id)
    subtotal = _add(*(pair for _, pair in items)) if items else ZERO
    discount = _discount(order, subtotal, shipping, checks)
    order_taxes = _order_tax_lines(order, items, checks)
    transactions = _transactions(order, checks, shop_id, processed_at, now)
    if order.fulfillment and order.fulfillment.location_id not in catalog.locations:
        checks.errors.append(_error("Location does not exist", ["fulfillment", "locationId"]))
    claims = _claims(order, items, catalog, checks)
    if checks.errors:
        raise UserErrors(checks.errors)
    return _Checked(customer_id, email, processed_at, closed_at, items, shipping, subtotal, discount, order_taxes,
                    transactions, claims)


def _assembled(order: OrderIn, checked: _Checked, shop_id: int, now: datetime) -> Prepared:
    rows = [row for row, _ in checked.items]
    totals = _totals(order, rows, checked.shipping, checked.order_taxes, checked.subtotal, checked.discount,
                     checked.transactions)
    row = _order_row(order, shop_id, now, checked.customer_id, checked.email, checked.processed_at,
                     checked.closed_at, rows, totals, checked.transactions)
    if row["fulfillment_status"] == "FULFILLED":
        for item in rows:
            item["fulfilled_quantity"] = item["quantity"]
    currencies = {"currency_code": row["currency_code"],
                  "presentment_currency_code": row["presentment_currency_code"]}
    return Prepared(row, [{**r, **currencies} for r in rows], [{**r, **currencies} for r, _ in checked.shipping],
                    [{**r, **currencies} for r in checked.transactions],
                    upsert=order.customer is not None and order.customer.upsert is not None, claims=checked.claims)


def _claims(order: OrderIn, items: list[tuple[dict[str, Any], Pair]], catalog: Catalog, checks: _Checks
            ) -> list[tuple[int, int]]:
    """What the order takes from stock (``inventoryBehaviour``: nothing when BYPASS); obeying the policy, a
    variant that does not sell beyond its stock must have the units available (INVENTORY_CLAIM_FAILED)."""
    if order.inventory_behaviour == "BYPASS":
        return []
    wanted: dict[int, int] = {}
    for row, _ in items:
        if row["variant_id"] is not None:
            wanted[row["variant_id"]] = wanted.get(row["variant_id"], 0) + row["quantity"]
    if order.inventory_behaviour == "DECREMENT_OBEYING_POLICY":
        for row, _ in items:
            variant = catalog.variants.get(row["variant_id"]) if row["variant_id"] is not None else None
            if variant is None or variant.inventory_policy != "DENY":
                continue
            available = variant.inventory_quantity - catalog.claimed.get(variant.id, 0)
            if wanted[variant.id] > available:
                # UNCONFIRMED wording: the schema gives the code and its description only.
                checks.errors.append(_error(f"Not enough inventory available for {row['title']}",
                                            ["lineItems", row["position"] - 1, "quantity"], "INVENTORY_CLAIM_FAILED"))
    return list(wanted.items())


def _moment(raw: str | None, path: list[Any], checks: _Checks) -> datetime | None:
    try:
        return parse_moment(raw)
    except ValueError:
        checks.errors.append(_error("Invalid date format", path))
        return None


def _customer(order: OrderIn, catalog: Catalog, checks: _Checks) -> tuple[int | None, str | None]:
    """The customer the order is for (None: none yet, or one its upsert creates) and the order's email."""
    email = order.email.strip().lower() if order.email else None
    chosen = order.customer
    if chosen is not None and order.customer_id is not None:
        checks.errors.append(_error("Cannot specify both customer and customerId", ["customer"],
                                    "REDUNDANT_CUSTOMER_FIELDS"))
        return None, email
    found = None
    if order.customer_id is not None:
        found = catalog.customers_by_id.get(order.customer_id)
        if found is None:
            checks.errors.append(_error("Customer does not exist", ["customerId"]))
    elif chosen is not None and chosen.upsert is None:
        if chosen.associate_id is not None:
            found = catalog.customers_by_id.get(chosen.associate_id)
        elif chosen.associate_email:
            found = catalog.customers_by_email.get(chosen.associate_email.strip().lower())
            email = chosen.associate_email.strip().lower()
        if found is None:
            checks.errors.append(_error("Customer does not exist", ["customer", "toAssociate",
                                                                    "id" if chosen.associate_id else "email"]))
    elif chosen is not None and chosen.upsert_id is not None and chosen.upsert_id not in catalog.customers_by_id:
        checks.errors.append(_error("Customer does not exist", ["customer", "toUpsert", "id"]))
    if found is not None:
        return found.id, email or found.email
    return None, email


def _line_items(order: OrderIn, catalog: Catalog, checks: _Checks, shop_id: int
                ) -> list[tuple[dict[str, Any], Pair]]:
    if not order.line_items:
        checks.errors.append(_error("Line items must have at least one line item", ["lineItems"]))
        return []
    if order.tax_lines and any(li.tax_lines for li in order.line_items):
        checks.errors.append(_error("Tax lines can be specified on the order or the line items but not both",
                                    ["taxLines"]))
    return [item for index, line in enumerate(order.line_items)
            if (item := _line_item(line, index, catalog, checks, shop_id)) is not None]


def _line_item(line: LineItemIn, index: int, catalog: Catalog, checks: _Checks, shop_id: int
               ) -> tuple[dict[str, Any], Pair] | None:
    at: list[Any] = ["lineItems", index]
    before = len(checks.errors)
    variant = catalog.variants.get(line.variant_id) if line.variant_id is not None else None
    product_id = variant.product_id if variant is not None else line.product_id
    if line.variant_id is not None and variant is None:
        checks.errors.append(_error("Variant does not exist", [*at, "variantId"]))
    elif variant is None and line.product_id is not None and line.product_id not in catalog.products:
        checks.errors.append(_error("Product does not exist", [*at, "productId"]))
    product = catalog.products.get(product_id) if product_id is not None else None
    title = line.title or (variant.product_title if variant is not None else product.title if product else None)
    if not title and (line.variant_id is None or variant is not None):
        checks.errors.append(_error("Title can't be blank", [*at, "title"]))
    if line.quantity < 1:
        checks.errors.append(_error("Quantity must be greater than or equal to 1", [*at, "quantity"]))
    if line.fulfillment_service not in (None, "manual"):
        checks.errors.append(_error("Fulfillment service is invalid", [*at, "fulfillmentService"],
                                    "FULFILLMENT_SERVICE_INVALID"))
    price = checks.money(line.price, [*at, "priceSet"], "Price must be greater than or equal to 0")
    if price is None and line.price is None:
        price = (Decimal(variant.price), Decimal(variant.price)) if variant is not None else ZERO
    quantity = max(line.quantity, 0)
    line_total = _times(price or ZERO, Decimal(quantity))
    taxes = checks.tax_lines(line.tax_lines, line_total, [*at, "taxLines"])
    if len(checks.errors) > before or price is None:
        return None
    variant_title = line.variant_title or (variant.title if variant is not None and variant.title != "Default Title"
                                           else None)
    return {
        "shop_id": shop_id, "position": index + 1, "title": title, "variant_title": variant_title,
        "sku": line.sku or (variant.sku if variant is not None else None),
        "vendor": line.vendor or (product.vendor if product is not None and product.vendor else None),
        "quantity": quantity, "fulfilled_quantity": 0, "price": amount_text(price[0]),
        "presentment_price": amount_text(price[1]), "product_id": product_id,
        "variant_id": variant.id if variant is not None else None, "requires_shipping": line.requires_shipping,
        "taxable": line.taxable, "gift_card": line.gift_card,
        "properties": [{"key": k, "value": v} for k, v in line.properties], "tax_lines": taxes,
        "weight_grams": line.weight_grams,
    }, line_total


def _shipping_lines(order: OrderIn, checks: _Checks, shop_id: int) -> list[tuple[dict[str, Any], Pair]]:
    kept = []
    for index, line in enumerate(order.shipping_lines):
        at: list[Any] = ["shippingLines", index]
        price = checks.money(line.price, [*at, "priceSet"], "Price can't be negative")
        taxes = checks.tax_lines(line.tax_lines, price or ZERO, [*at, "taxLines"])
        if price is not None:
            kept.append(({"shop_id": shop_id, "position": index + 1, "title": line.title, "code": line.code,
                          "source": line.source, "price": amount_text(price[0]),
                          "presentment_price": amount_text(price[1]), "tax_lines": taxes}, price))
    return kept


def _discount(order: OrderIn, subtotal: Pair, shipping: list[tuple[dict[str, Any], Pair]], checks: _Checks
              ) -> tuple[Pair, Pair]:
    """(discount on the line items, discount on shipping) of the order's discount code."""
    given = order.discount
    if given is None or not given.kinds:
        return ZERO, ZERO
    if len(given.kinds) > 1:
        checks.errors.append(_error("Only one discount code type can be applied to an order", ["discountCode"]))
        return ZERO, ZERO
    kind = given.kinds[0]
    if kind == "freeShippingDiscountCode":
        return ZERO, _add(*(pair for _, pair in shipping)) if shipping else ZERO
    if kind == "itemPercentageDiscountCode":
        percentage = Decimal(str(given.percentage or 0))
        if not 0 <= percentage <= 100:
            checks.errors.append(_error("Percentage must be between 0 and 100", ["discountCode", kind, "percentage"]))
            return ZERO, ZERO
        return _times(subtotal, percentage / 100), ZERO
    amount = checks.money(given.amount, ["discountCode", kind, "amountSet"], "Amount must be greater than or equal to 0")
    amount = amount or ZERO
    return (min(amount[0], subtotal[0]), min(amount[1], subtotal[1])), ZERO


def _order_tax_lines(order: OrderIn, items: list[tuple[dict[str, Any], Pair]], checks: _Checks
                     ) -> list[dict[str, Any]]:
    """Tax lines given on the order itself, each worked out on the taxable items when its price is not given
    (the order's ``taxLines`` are otherwise its lines' summed: see ``_totals``)."""
    taxable = _add(*(pair for row, pair in items if row["taxable"])) if items else ZERO
    if order.tax_lines:
        return checks.tax_lines(order.tax_lines, taxable, ["taxLines"])
    return []


def _transactions(order: OrderIn, checks: _Checks, shop_id: int, processed_at: datetime, now: datetime
                  ) -> list[dict[str, Any]]:
    kept = []
    for index, given in enumerate(order.transactions):
        at: list[Any] = ["transactions", index]
        amount = checks.money(given.amount, [*at, "amountSet"], "Amount must be greater than or equal to 0")
        when = _moment(given.processed_at, [*at, "processedAt"], checks)
        if amount is not None:
            kept.append({"shop_id": shop_id, "kind": given.kind, "status": given.status, "gateway": given.gateway,
                         "amount": amount_text(amount[0]), "presentment_amount": amount_text(amount[1]),
                         "authorization_code": given.authorization_code, "test": given.test,
                         "receipt_json": given.receipt_json, "location_id": given.location_id,
                         "processed_at": when or processed_at, "created_at": now})
    return kept


def _summed_taxes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tax lines of the same title and rate added together (the order's ``taxLines`` from its lines')."""
    summed: dict[tuple[str, str], dict[str, Any]] = {}
    for line in rows:
        key = (line["title"], line["rate"])
        if key in summed:
            total = _add(_pair(summed[key]["price"]), _pair(line["price"]))
            summed[key] = {**summed[key], "price": bag_json(total)}
        else:
            summed[key] = dict(line)
    return list(summed.values())


def _pair(kept: list[str]) -> Pair:
    return Decimal(kept[0]), Decimal(kept[1])


@dataclass(frozen=True)
class Totals:
    subtotal: Pair
    shipping: Pair
    tax: Pair
    discounts: Pair
    total: Pair
    received: Pair
    tax_lines: list[dict[str, Any]]


def _totals(order: OrderIn, items: list[dict[str, Any]], shipping: list[tuple[dict[str, Any], Pair]],
            order_taxes: list[dict[str, Any]], subtotal: Pair, discount: tuple[Pair, Pair],
            transactions: list[dict[str, Any]]) -> Totals:
    item_discount, shipping_discount = discount
    shipping_total = _add(*(pair for _, pair in shipping)) if shipping else ZERO
    shipping_total = _add(shipping_total, (-shipping_discount[0], -shipping_discount[1]))
    tax_lines = order_taxes or _summed_taxes([t for row in items for t in row["tax_lines"]]
                                             + [t for row, _ in shipping for t in row["tax_lines"]])
    tax = _add(*(_pair(t["price"]) for t in tax_lines)) if tax_lines else ZERO
    discounted = _add(subtotal, (-item_discount[0], -item_discount[1]))
    total = _add(discounted, shipping_total, ZERO if order.taxes_included else tax)
    received = ZERO
    for row in transactions:
        if row["status"] != "SUCCESS" or row["kind"] not in PAID_KINDS | {"REFUND"}:
            continue
        sign = -1 if row["kind"] == "REFUND" else 1
        received = _add(received, (sign * Decimal(row["amount"]), sign * Decimal(row["presentment_amount"])))
    return Totals(discounted, shipping_total, tax, _add(item_discount, shipping_discount), total, received,
                  tax_lines)


def _financial_status(order: OrderIn, totals: Totals, transactions: list[dict[str, Any]]) -> str:
    """As given, or from the transactions (UNCONFIRMED: Shopify derives it so, its exact rules unrecorded):
    paid in full, partly, authorized only, or pending."""
    if order.financial_status:
        return order.financial_status
    paid = totals.received[0]
    if paid > 0 and paid >= totals.total[0]:
        return "PAID"
    if paid > 0:
        return "PARTIALLY_PAID"
    if any(t["kind"] == "AUTHORIZATION" and t["status"] == "SUCCESS" for t in transactions):
        return "AUTHORIZED"
    return "PAID" if totals.total[0] == 0 and transactions else "PENDING"


def _address(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    kept = {key: raw.get(key) for key in ADDRESS_KEYS}
    if kept["country"] is None and kept["countryCode"]:
        kept["country"] = kept["countryCode"]
    return kept


def _order_row(order: OrderIn, shop_id: int, now: datetime, customer_id: int | None, email: str | None,
               processed_at: datetime, closed_at: datetime | None, items: list[dict[str, Any]], totals: Totals,
               transactions: list[dict[str, Any]]) -> dict[str, Any]:
    currency = order.currency or SHOP_CURRENCY
    fulfillment_status = FULFILLMENT_STATUSES.get(order.fulfillment_status or "", "UNFULFILLED")
    if order.fulfillment is not None and order.fulfillment_status is None:
        fulfillment_status = "FULFILLED"
    gateways = list(dict.fromkeys(t["gateway"] for t in transactions if t["gateway"]))
    return {
        "shop_id": shop_id, "number": None, "name": order.name, "email": email, "phone": order.phone,
        "note": order.note, "tags": normalize_tags(list(order.tags)), "currency_code": currency,
        "presentment_currency_code": order.presentment_currency or currency, "customer_id": customer_id,
        "financial_status": _financial_status(order, totals, transactions), "fulfillment_status": fulfillment_status, "processed_at": processed_at,
        "closed_at": closed_at, "cancelled_at": None, "test": order.test, "taxes_included": order.taxes_included,
        "buyer_accepts_marketing": bool(order.buyer_accepts_marketing), "source_name": order.source_name,
        "source_identifier": order.source_identifier, "source_url": order.source_url, "po_number": order.po_number,
        "discount_code": order.discount.code if order.discount else None,
        "discount_application": _discount_application(order, totals),
        "custom_attributes": [{"key": k, "value": v} for k, v in order.custom_attributes],
        "billing_address": _address(order.billing_address), "shipping_address": _address(order.shipping_address),
        "tax_lines": totals.tax_lines,
        "totals": {"subtotal": bag_json(totals.subtotal), "shipping": bag_json(totals.shipping),
                   "tax": bag_json(totals.tax), "discounts": bag_json(totals.discounts),
                   "total": bag_json(totals.total), "received": bag_json(totals.received)},
        "total_cents": int((totals.total[0] * 100).to_integral_value(ROUND_HALF_UP)),
        "subtotal_quantity": sum(item["quantity"] for item in items),
        "total_weight": sum((item["weight_grams"] or 0) * item["quantity"] for item in items),
        "requires_shipping": any(item["requires_shipping"] for item in items),
        "payment_gateway_names": gateways, "fulfillments": _fulfillments(order, items, now), "created_at": now, "updated_at": now,
    }


def _fulfillments(order: OrderIn, items: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The fulfillment ``fulfillment`` asks for, of every line item (kept in the order's row; its id is the
    order's own number space: ``<order id>`` once written, so it is set when the order is read)."""
    given = order.fulfillment
    if given is None:
        return []
    return [{"locationId": given.location_id, "status": "SUCCESS", "trackingCompany": given.tracking_company,
             "trackingNumber": given.tracking_number, "shipmentStatus": given.shipment_status,
             "totalQuantity": sum(item["quantity"] for item in items),
             "requiresShipping": any(item["requires_shipping"] for item in items), "createdAt": iso_z(now)}]


def _discount_application(order: OrderIn, totals: Totals) -> dict[str, Any] | None:
    """The discount code's application as Shopify lists it in ``discountApplications``: what it targets and
    its value (a percentage, or the amount taken off)."""
    given = order.discount
    if given is None or len(given.kinds) != 1 or given.code is None:
        return None
    kind = given.kinds[0]
    value: dict[str, Any] = ({"percentage": float(given.percentage or 0)} if kind == "itemPercentageDiscountCode"
                             else {"amount": bag_json(totals.discounts)[0]})
    if kind == "freeShippingDiscountCode":
        value = {"percentage": 100.0}
    return {"code": given.code, "targetType": "SHIPPING_LINE" if kind == "freeShippingDiscountCode" else "LINE_ITEM",
            "value": value}
