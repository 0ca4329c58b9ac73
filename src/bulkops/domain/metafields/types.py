"""Shopify's metafield type system: which types exist, how each value is checked, and how it reads back.

Messages follow Shopify's "Value must be …" wording. Exact wording Shopify does not document is UNCONFIRMED;
we keep one short sentence per type so a client that only checks ``code == INVALID_VALUE`` never trips.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from bulkops.domain.money import SHOP_CURRENCY, parse_amount
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

Exists = Callable[[str, int], bool]
"""``exists(type_name, number)``: whether the referenced resource is in the caller's shop."""

REFERENCE_TYPES = {
    "product_reference": ("Product",),
    "variant_reference": ("ProductVariant",),
    "collection_reference": ("Collection",),
    "customer_reference": ("Customer",),
    "metaobject_reference": ("Metaobject",),
    "mixed_reference": ("Metaobject",),
    "page_reference": ("Page",),
    "order_reference": ("Order",),
    "company_reference": ("Company",),
    "file_reference": ("MediaImage", "GenericFile", "Video"),
}
UNITS = {
    "weight": {"GRAMS", "KILOGRAMS", "OUNCES", "POUNDS"},
    "dimension": {"MILLIMETERS", "CENTIMETERS", "METERS", "INCHES", "FEET", "YARDS"},
    "volume": {"MILLILITERS", "CENTILITERS", "LITERS", "CUBIC_METERS", "FLUID_OUNCES", "PINTS", "QUARTS", "GALLONS",
               "IMPERIAL_FLUID_OUNCES", "IMPERIAL_PINTS", "IMPERIAL_QUARTS", "IMPERIAL_GALLONS"},
}
SCALAR_TYPES = {
    "single_line_text_field", "multi_line_text_field", "rich_text_field", "number_integer", "number_decimal",
    "boolean", "json", "date", "date_time", "url", "color", "money", "rating", "link", "id", *UNITS,
    *REFERENCE_TYPES,
}
LISTABLE = {
    "single_line_text_field", "number_integer", "number_decimal", "date", "date_time", "url", "color", "rating",
    "link", *UNITS, *REFERENCE_TYPES,
}
MAX_INTEGER = 9_007_199_254_740_991
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


def is_known_type(kind: str) -> bool:
    if kind.startswith("list."):
        return kind[5:] in LISTABLE
    return kind in SCALAR_TYPES


def _json(value: str) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return _INVALID


_INVALID = object()


def _integer(value: str) -> str | None:
    if re.fullmatch(r"-?\d+", value.strip()) is None:
        return "Value must be an integer."
    if abs(int(value)) > MAX_INTEGER:
        return f"Value must be an integer between -{MAX_INTEGER:,} and {MAX_INTEGER:,}."
    return None


def _decimal(value: str) -> str | None:
    return None if re.fullmatch(r"-?\d+(\.\d+)?", value.strip()) else "Value must be a decimal."


def _date(value: str) -> str | None:
    try:
        date.fromisoformat(value)
        return None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "Value must be in YYYY-MM-DD format."
    except ValueError:
        return "Value must be in YYYY-MM-DD format."


def _date_time(value: str) -> str | None:
    if _DATE_TIME.match(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return None
        except ValueError:
            pass
    return "Value must be in YYYY-MM-DDTHH:MM:SS format."


def _url(value: str) -> str | None:
    ok = re.match(r"^(https?://[^\s/]+|mailto:\S+|sms:\S+|tel:\S+)", value) is not None and " " not in value
    return None if ok else "Value must be a valid URL with one of the following schemes: http, https, mailto, sms, tel."


def _color(value: str) -> str | None:
    return None if re.fullmatch(r"#[0-9A-Fa-f]{6}", value) else "Value must be a hex color code (#RRGGBB)."


def _money(value: str) -> str | None:
    data = _json(value)
    if not isinstance(data, dict) or set(data) != {"amount", "currency_code"} or parse_amount(data["amount"]) is None:
        return 'Value must be a JSON object with "amount" and "currency_code".'
    if data["currency_code"] != SHOP_CURRENCY:
        return f"Value currency code must be the shop's currency ({SHOP_CURRENCY})."
    return None


def _measure(kind: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        data = _json(value)
        if not isinstance(data, dict) or not isinstance(data.get("value"), int | float) or isinstance(
                data.get("value"), bool):
            return f'Value must be a JSON object with a numeric "value" and a "unit" for {kind}.'
        if str(data.get("unit", "")).upper() not in UNITS[kind]:
            return f"Unit must be one of: {', '.join(sorted(UNITS[kind]))}."
        return None

    return check


def _rating(value: str) -> str | None:
    data = _json(value)
    if not isinstance(data, dict):
        return 'Value must be a JSON object with "value", "scale_min" and "scale_max".'
    numbers = [parse_amount(data.get(k)) for k in ("value", "scale_min", "scale_max")]
    if any(n is None for n in numbers):
        return 'Value must be a JSON object with "value", "scale_min" and "scale_max".'
    rating, low, high = numbers
    assert rating is not None and low is not None and high is not None
    if not low <= rating <= high:
        return "Value must be between scale_min and scale_max."
    return None


def _link(value: str) -> str | None:
    data = _json(value)
    if not isinstance(data, dict) or not isinstance(data.get("url"), str) or _url(data["url"]):
        return 'Value must be a JSON object with "text" and a valid "url".'
    return None


CHECKS: dict[str, Callable[[str], str | None]] = {
    "single_line_text_field": lambda v: "Value must be a single line text string." if "\n" in v else None,
    "multi_line_text_field": lambda v: None,
    "rich_text_field": lambda v: None if isinstance(_json(v), dict) else "Value must be a valid rich text JSON.",
    "number_integer": _integer,
    "number_decimal": _decimal,
    "boolean": lambda v: None if v in ("true", "false") else "Value must be true or false.",
    "json": lambda v: "Value must be valid JSON." if _json(v) is _INVALID else None,
    "date": _date,
    "date_time": _date_time,
    "url": _url,
    "color": _color,
    "money": _money,
    "rating": _rating,
    "link": _link,
    "id": lambda v: None if v.strip() else "Value can't be blank.",
    **{kind: _measure(kind) for kind in UNITS},
}


def _reference(kind: str, value: str, exists: Exists) -> str | None:
    allowed = REFERENCE_TYPES[kind]
    try:
        type_name, number = parse_gid(value)
    except InvalidGlobalId:
        return f"Value must be a valid global ID for a {' or '.join(allowed)}."
    if type_name not in allowed:
        return f"Value must be a valid global ID for a {' or '.join(allowed)}."
    if not exists(type_name, number):
        return f"Value references non-existent resource {value}."
    return None


def check_value(kind: str, value: str, exists: Exists) -> str | None:
    """What is wrong with ``value`` for ``kind`` (None when it is fine); references must exist in the shop."""
    if kind.startswith("list."):
        inner = kind[5:]
        items = _json(value)
        if not isinstance(items, list):
            return "Value must be a JSON array."
        for item in items:
            text = item if isinstance(item, str) else orjson.dumps(item).decode()
            problem = check_value(inner, text, exists)
            if problem:
                return problem
        return None
    if kind in REFERENCE_TYPES:
        return _reference(kind, value, exists)
    return CHECKS[kind](value)


def json_value(kind: str, value: str) -> Any:
    """``jsonValue``: the value as JSON (numbers as numbers, objects and lists parsed)."""
    if kind == "number_integer":
        return int(value)
    if kind == "boolean":
        return value == "true"
    if kind == "number_decimal":
        return float(Decimal(value))
    if kind.startswith("list.") or kind in {"json", "money", "rating", "link", "rich_text_field", *UNITS}:
        parsed = _json(value)
        return None if parsed is _INVALID else parsed
    return value


def value_type(kind: str) -> str:
    """The deprecated ``MetafieldValueType`` a type maps to."""
    if kind == "number_integer":
        return "INTEGER"
    if kind == "boolean":
        return "BOOLEAN"
    if kind.startswith("list.") or kind in {"json", "money", "rating", "link", "rich_text_field", *UNITS}:
        return "JSON_STRING"
    return "STRING"


def category(kind: str) -> str:
    """``MetafieldDefinitionType.category``."""
    inner = kind[5:] if kind.startswith("list.") else kind
    if inner in REFERENCE_TYPES:
        return "REFERENCE"
    if inner.startswith("number_") or inner in UNITS or inner == "rating":
        return "NUMBER" if inner.startswith("number_") else "MEASUREMENT"
    if inner in ("date", "date_time"):
        return "DATE_TIME"
    return {"boolean": "TRUE_FALSE", "json": "JSON", "money": "MONEY", "url": "URL", "link": "LINK",
            "color": "COLOR"}.get(inner, "TEXT")
