"""A product's price ranges (``priceRangeV2``, the deprecated ``priceRange``, ``compareAtPriceRange``) and its
option values' ids: figures derived from its variants, for queries and exports alike."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from hashlib import blake2b
from typing import Any

from sqlalchemy import Connection, select

from bulkops.db.tables import product_variants
from bulkops.domain.money import SHOP_CURRENCY, money, parse_amount


@dataclass(frozen=True)
class PriceRanges:
    prices: list[Decimal]
    compare_at: list[Decimal]

    def price_range(self) -> dict[str, Any]:
        """``ProductPriceRangeV2``: the lowest and highest variant prices (0.0 for a product without variants)."""
        low, high = (min(self.prices), max(self.prices)) if self.prices else (Decimal(0), Decimal(0))
        return {"minVariantPrice": money(low, SHOP_CURRENCY), "maxVariantPrice": money(high, SHOP_CURRENCY)}

    def compare_at_range(self) -> dict[str, Any] | None:
        """``ProductCompareAtPriceRange``: null when no variant has a compare-at price."""
        if not self.compare_at:
            return None
        return {"minVariantCompareAtPrice": money(min(self.compare_at), SHOP_CURRENCY),
                "maxVariantCompareAtPrice": money(max(self.compare_at), SHOP_CURRENCY)}


def price_ranges(conn: Connection, product_id: int) -> PriceRanges:
    rows = conn.execute(select(product_variants.c.price, product_variants.c.compare_at_price).where(
        product_variants.c.product_id == product_id)).all()
    prices = [p for p in (parse_amount(row.price) for row in rows) if p is not None]
    compare_at = [p for p in (parse_amount(row.compare_at_price) for row in rows
                              if row.compare_at_price is not None) if p is not None]
    return PriceRanges(prices, compare_at)


def option_value_id(product_id: int, option_name: str, value: str) -> str:
    """A ``ProductOptionValue`` id: derived from its product, option and name, so the product's ``options`` and
    a variant's ``selectedOptions`` give the same id without a table of values. Shopify's are stored numbers
    (UNCONFIRMED which); these stay the same while the value exists, and fit a JSON number (48 bits)."""
    digest = blake2b(f"{product_id}\0{option_name}\0{value}".encode(), digest_size=6).digest()
    return f"gid://shopify/ProductOptionValue/{int.from_bytes(digest, 'big')}"
