"""Price lists and their fixed prices.

bulkops has no markets or catalogs, so there is no ``priceListCreate``: every shop gets one price list in the
shop currency, created the first time any price-list query or mutation touches the shop
(``ensure_default_price_list``). Clients find its id with ``priceLists(first: 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from bulkops.db.tables import price_list_prices, price_lists, product_variants
from bulkops.domain.money import SHOP_CURRENCY, amount_text, parse_amount
from bulkops.protocol.errors import UserError, UserErrors

DEFAULT_NAME = "Default price list"


@dataclass(frozen=True)
class FixedPrice:
    variant_id: int | None
    amount: str
    currency: str
    compare_at_amount: str | None = None
    compare_at_currency: str | None = None


def ensure_default_price_list(conn: Connection, shop_id: int, now: datetime) -> None:
    """The shop's one price list, created on first use (see the module docstring)."""
    if conn.execute(select(price_lists.c.id).where(price_lists.c.shop_id == shop_id).limit(1)).first() is None:
        conn.execute(insert(price_lists).values(shop_id=shop_id, name=DEFAULT_NAME, currency=SHOP_CURRENCY,
                                                created_at=now))


def get_price_list(conn: Connection, shop_id: int, price_list_id: int) -> Any | None:
    return conn.execute(select(price_lists).where(price_lists.c.shop_id == shop_id,
                                                  price_lists.c.id == price_list_id)).first()


def _variant_exists(conn: Connection, shop_id: int, variant_id: int | None) -> bool:
    return variant_id is not None and conn.execute(select(product_variants.c.id).where(
        product_variants.c.shop_id == shop_id, product_variants.c.id == variant_id)).first() is not None


def add_fixed_prices(conn: Connection, shop_id: int, price_list_id: int, prices: list[FixedPrice],
                     now: datetime) -> list[int]:
    """Create or replace the fixed price of each variant; all or nothing. Returns the variant ids."""
    price_list = get_price_list(conn, shop_id, price_list_id)
    if price_list is None:
        raise UserError("Price list does not exist.", ["priceListId"], "PRICE_LIST_NOT_FOUND")
    errors: list[UserError] = []
    for index, price in enumerate(prices):
        at = ["prices", str(index)]
        if not _variant_exists(conn, shop_id, price.variant_id):
            errors.append(UserError("Variant not found.", [*at, "variantId"], "VARIANT_NOT_FOUND"))
        for field, amount, currency in (("price", price.amount, price.currency),
                                        ("compareAtPrice", price.compare_at_amount, price.compare_at_currency)):
            if amount is None:
                continue
            if currency != price_list.currency:
                errors.append(UserError("The specified currency doesn't match the price list's currency.",
                                        [*at, field, "currencyCode"], "PRICE_LIST_CURRENCY_MISMATCH"))
            value = parse_amount(amount)
            if value is None or value < 0:
                errors.append(UserError("Amount must be greater than or equal to 0", [*at, field, "amount"],
                                        "BLANK"))
    if errors:
        raise UserErrors(errors)
    for price in prices:
        values = {"amount": amount_text(price.amount), "currency": price.currency,
                  "compare_at_amount": amount_text(price.compare_at_amount) if price.compare_at_amount else None,
                  "updated_at": now}
        where = (price_list_prices.c.price_list_id == price_list_id) & (price_list_prices.c.variant_id ==
                                                                         price.variant_id)
        if conn.execute(update(price_list_prices).where(where).values(**values)).rowcount == 0:
            conn.execute(insert(price_list_prices).values(price_list_id=price_list_id, variant_id=price.variant_id,
                                                          created_at=now, **values))
    return [p.variant_id for p in prices if p.variant_id is not None]


def delete_fixed_prices(conn: Connection, shop_id: int, price_list_id: int, variant_ids: list[int | None]
                        ) -> list[int]:
    """Remove fixed prices; every variant must have one on this list, else nothing is removed."""
    if get_price_list(conn, shop_id, price_list_id) is None:
        raise UserError("Price list does not exist.", ["priceListId"], "PRICE_LIST_NOT_FOUND")
    fixed = set(conn.execute(select(price_list_prices.c.variant_id).where(
        price_list_prices.c.price_list_id == price_list_id)).scalars())
    errors = [UserError("A fixed price for the specified product variant doesn't exist.", ["variantIds", str(i)],
                        "VARIANT_NOT_FOUND") for i, v in enumerate(variant_ids) if v not in fixed]
    if errors:
        raise UserErrors(errors)
    conn.execute(delete(price_list_prices).where(price_list_prices.c.price_list_id == price_list_id,
                                                 price_list_prices.c.variant_id.in_(variant_ids)))
    return [v for v in variant_ids if v is not None]


def fixed_price(conn: Connection, price_list_id: int, variant_id: int) -> Any | None:
    return conn.execute(select(price_list_prices).where(price_list_prices.c.price_list_id == price_list_id,
                                                        price_list_prices.c.variant_id == variant_id)).first()


def fixed_prices_count(conn: Connection, price_list_id: int) -> int:
    return conn.execute(select(func.count()).select_from(price_list_prices).where(
        price_list_prices.c.price_list_id == price_list_id)).scalar_one()
