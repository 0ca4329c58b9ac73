"""Money as Shopify writes it: decimal amounts as strings (``"10.0"``, ``"19.99"``) with a currency code."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

SHOP_CURRENCY = "USD"


def parse_amount(raw: Any) -> Decimal | None:
    """The amount as a Decimal; None when it is not a finite number."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def amount_text(value: Decimal | str) -> str:
    """Shopify's Decimal scalar: no exponent, no trailing zeros, at least one decimal digit (``"5.0"``)."""
    number = Decimal(value) if isinstance(value, str) else value
    text = format(number.normalize(), "f")
    if "." not in text:
        text += ".0"
    return text


def money(amount: Decimal | str, currency: str) -> dict[str, str]:
    """A ``MoneyV2``."""
    return {"amount": amount_text(amount), "currencyCode": currency}
