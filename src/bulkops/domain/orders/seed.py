"""Demo orders for ``bulkops seed --orders N``: inputs built deterministically from a seeded random source and
written through :func:`batch.create_many`, so seeded orders obey the same rules and totals as created ones.

Each order buys one to three of the shop's variants (a custom item when it has none), ships by one of a few
methods, is paid in full by a manual transaction, belongs to one of the shop's customers when it has any, and
every third one is fulfilled from the shop's primary location: every field an export reads has a value.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, select

from bulkops.db.tables import customers, product_variants
from bulkops.domain.inventory.rules import ensure_default_location
from bulkops.domain.orders.batch import create_many
from bulkops.domain.orders.inputs import (
    CustomerIn,
    FulfillmentIn,
    LineItemIn,
    MoneyIn,
    OrderIn,
    ShippingLineIn,
    TaxLineIn,
    TransactionIn,
)
from bulkops.protocol.errors import UserErrors

SHIPPING = (("Standard", "STD", "4.99"), ("Express", "EXP", "14.99"), ("Pickup", "PICKUP", "0.00"))
CITIES = (("Springfield", "IL", "62701"), ("Portland", "OR", "97201"), ("Austin", "TX", "73301"),
          ("Boston", "MA", "02108"))
TAGS = ("web", "repeat", "wholesale", "gift", "priority")
TAX_RATE = "0.08"
CHOICES = 1000
"""At most this many of the shop's variants and customers (the first by id) are drawn from."""


def _address(rng: random.Random, number: int) -> dict[str, str]:
    city, province, zip_code = rng.choice(CITIES)
    return {"firstName": "Sam", "lastName": f"Buyer{number}", "address1": f"{number} Market Street", "city": city,
            "provinceCode": province, "province": province, "zip": zip_code, "countryCode": "US",
            "country": "United States", "phone": f"+1555{number % 10_000_000:07d}"}


def _line_items(rng: random.Random, number: int, variants: list[tuple[int, str]]) -> tuple[LineItemIn, ...]:
    common: dict[str, Any] = {"requires_shipping": True, "vendor": "Seeded", "properties": (("gift_note", "none"),),
              "tax_lines": (TaxLineIn("Sales tax", TAX_RATE),)}
    if not variants:
        return (LineItemIn(quantity=1, title="Custom item", variant_title="Standard", sku=f"CUSTOM-{number}",
                           price=MoneyIn(f"{rng.randrange(5, 200)}.00"), weight_grams=500, **common),)
    picked = rng.sample(variants, min(len(variants), rng.randint(1, 3)))
    return tuple(LineItemIn(quantity=rng.randint(1, 3), variant_id=vid, price=MoneyIn(price),
                            weight_grams=rng.randrange(100, 3000), **common) for vid, price in picked)


def _total(items: tuple[LineItemIn, ...], shipping: str) -> Decimal:
    """What the order comes to (the rules work it out the same way): lines, their tax, shipping."""
    total = Decimal(shipping)
    for item in items:
        assert item.price is not None
        line = Decimal(item.price.amount) * item.quantity
        total += line + (line * Decimal(TAX_RATE)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return total


def order_input(rng: random.Random, number: int, variants: list[tuple[int, str]], customer_ids: list[int],
                location_id: int, now: datetime) -> OrderIn:
    """One demo order (``number`` makes its text fields its own), paid in full."""
    items = _line_items(rng, number, variants)
    title, code, price = rng.choice(SHIPPING)
    processed = now - timedelta(minutes=rng.randrange(60, 60 * 24 * 365))
    address = _address(rng, number)
    return OrderIn(
        line_items=items, shipping_lines=(ShippingLineIn(title, MoneyIn(price), code, "bulkops"),),
        transactions=(TransactionIn(MoneyIn(str(_total(items, price))), gateway="manual",
                                    authorization_code=f"SEED-{number}"),),
        customer=CustomerIn(associate_id=rng.choice(customer_ids)) if customer_ids else None,
        email=f"buyer{number}@example.com", phone=address["phone"], note=f"Seeded order {number}",
        tags=tuple(sorted(rng.sample(TAGS, rng.randint(1, 2)))), po_number=f"PO-{number}", source_name="web",
        source_identifier=f"seed-{number}", processed_at=processed.isoformat(),
        custom_attributes=(("channel", "seed"),), billing_address=address, shipping_address=address,
        fulfillment=FulfillmentIn(location_id, "UPS", f"1Z{number:010d}") if number % 3 == 0 else None,
    )


def seed_orders(conn: Connection, shop_id: int, first_number: int, count: int, rng: random.Random,
                now: datetime) -> int:
    """Add ``count`` orders to the shop in this transaction; how many were written."""
    v, c = product_variants, customers
    variants = [(row.id, row.price) for row in conn.execute(
        select(v.c.id, v.c.price).where(v.c.shop_id == shop_id).order_by(v.c.id).limit(CHOICES))]
    customer_ids = list(conn.scalars(select(c.c.id).where(c.c.shop_id == shop_id).order_by(c.c.id).limit(CHOICES)))
    location_id = ensure_default_location(conn, shop_id, now)
    inputs = [order_input(rng, first_number + n, variants, customer_ids, location_id, now) for n in range(count)]
    answers = create_many(conn, shop_id, inputs, now)
    failed = [a for a in answers if isinstance(a, UserErrors)]
    if failed:
        raise ValueError(f"a seeded order was refused: {failed[0]}")
    return len(answers)
