"""Metafields: typed values attached to an owner; ``metafieldsSet`` is atomic and capped at 25."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update

from bulkops.db.tables import customers, metafields, product_variants, products, shops
from bulkops.errors import UserError, UserErrors

MAX_PER_CALL = 25
OWNER_TABLES = {"Product": products, "ProductVariant": product_variants, "Customer": customers}


@dataclass(frozen=True)
class MetafieldInput:
    owner_type: str
    owner_id: int
    namespace: str | None
    key: str
    value: str
    type: str | None


def _is_int(v: str) -> bool:
    return re.fullmatch(r"-?\d+", v.strip()) is not None


def _is_decimal(v: str) -> bool:
    try:
        Decimal(v)
        return re.fullmatch(r"-?\d+(\.\d+)?", v.strip()) is not None
    except InvalidOperation:
        return False


def _is_json(v: str) -> bool:
    try:
        orjson.loads(v)
        return True
    except orjson.JSONDecodeError:
        return False


def _is_date(v: str) -> bool:
    try:
        date.fromisoformat(v)
        return True
    except ValueError:
        return False


def _is_gid(v: str) -> bool:
    return re.fullmatch(r"gid://shopify/[A-Za-z]+/\d+", v) is not None


VALIDATORS: dict[str, tuple[Callable[[str], bool], str]] = {
    "single_line_text_field": (lambda v: "\n" not in v, "Value must be a single line text string."),
    "multi_line_text_field": (lambda v: True, ""),
    "number_integer": (_is_int, "Value must be an integer."),
    "number_decimal": (_is_decimal, "Value must be a decimal."),
    "boolean": (lambda v: v in ("true", "false"), "Value must be true or false."),
    "json": (_is_json, "Value must be valid JSON."),
    "date": (_is_date, "Value must be in YYYY-MM-DD format."),
    "url": (lambda v: re.match(r"^(https?|mailto|sms|tel)://?", v) is not None or v.startswith(("mailto:", "tel:")),
            "Value must be a valid URL."),
    "color": (lambda v: re.fullmatch(r"#[0-9A-Fa-f]{6}", v) is not None, "Value must be a hex color code."),
    "product_reference": (_is_gid, "Value must be a valid product reference."),
    "variant_reference": (_is_gid, "Value must be a valid variant reference."),
    "collection_reference": (_is_gid, "Value must be a valid collection reference."),
}


def _check_value(kind: str, value: str) -> str | None:
    if kind.startswith("list."):
        inner = kind[5:]
        try:
            items = orjson.loads(value)
        except orjson.JSONDecodeError:
            return "Value must be a JSON array."
        if not isinstance(items, list):
            return "Value must be a JSON array."
        for item in items:
            problem = _check_value(inner, item if isinstance(item, str) else orjson.dumps(item).decode())
            if problem:
                return problem
        return None
    validator = VALIDATORS.get(kind)
    if validator is None:
        return f"Type '{kind}' is not a valid metafield type."
    check, message = validator
    return None if check(value) else message


def owner_exists(conn: Connection, shop_id: int, owner_type: str, owner_id: int) -> bool:
    if owner_type == "Shop":
        return owner_id == shop_id and conn.execute(select(shops.c.id).where(shops.c.id == shop_id)).first() is not None
    table = OWNER_TABLES.get(owner_type)
    if table is None:
        return False
    return conn.execute(
        select(table.c.id).where(table.c.id == owner_id, table.c.shop_id == shop_id)
    ).first() is not None


def set_metafields(conn: Connection, shop_id: int, inputs: list[MetafieldInput], now: datetime,
                   default_namespace: str = "custom") -> list[int]:
    """All or nothing: every input is checked before anything is written."""
    if len(inputs) > MAX_PER_CALL:
        raise UserError(f"Exceeded the maximum metafields input limit of {MAX_PER_CALL}.", ["metafields"],
                        "LESS_THAN_OR_EQUAL_TO")
    errors: list[UserError] = []
    resolved: list[tuple[MetafieldInput, str, str, Any]] = []
    for index, item in enumerate(inputs):
        at = ["metafields", str(index)]
        namespace = item.namespace or default_namespace
        existing = _existing(conn, item.owner_type, item.owner_id, namespace, item.key)
        kind = item.type or (existing.type if existing else None)
        if not owner_exists(conn, shop_id, item.owner_type, item.owner_id):
            errors.append(UserError("Owner does not exist.", [*at, "ownerId"], "INVALID", {"elementIndex": index}))
            continue
        if not 2 <= len(item.key) <= 64:
            word = "short (minimum is 2" if len(item.key) < 2 else "long (maximum is 64"
            errors.append(UserError(f"Key is too {word} characters)", [*at, "key"],
                                    "TOO_SHORT" if len(item.key) < 2 else "TOO_LONG", {"elementIndex": index}))
            continue
        if not 3 <= len(namespace) <= 255:
            errors.append(UserError("Namespace is too short (minimum is 3 characters)", [*at, "namespace"],
                                    "TOO_SHORT", {"elementIndex": index}))
            continue
        if kind is None:
            errors.append(UserError("Type can't be blank", [*at, "type"], "BLANK", {"elementIndex": index}))
            continue
        problem = _check_value(kind, item.value)
        if problem:
            errors.append(UserError(problem, [*at, "value"], "INVALID_VALUE", {"elementIndex": index}))
            continue
        resolved.append((item, namespace, kind, existing))
    if errors:
        raise UserErrors(errors)
    return [_upsert(conn, shop_id, item, namespace, kind, existing, now)
            for item, namespace, kind, existing in resolved]


def _existing(conn: Connection, owner_type: str, owner_id: int, namespace: str, key: str) -> Any | None:
    return conn.execute(select(metafields).where(
        metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id,
        metafields.c.namespace == namespace, metafields.c.key == key,
    )).first()


def _upsert(conn: Connection, shop_id: int, item: MetafieldInput, namespace: str, kind: str, existing: Any,
            now: datetime) -> int:
    if existing is not None:
        conn.execute(update(metafields).where(metafields.c.id == existing.id).values(
            value=item.value, type=kind, updated_at=now))
        return existing.id
    return conn.execute(insert(metafields).values(
        shop_id=shop_id, owner_type=item.owner_type, owner_id=item.owner_id, namespace=namespace, key=item.key,
        value=item.value, type=kind, created_at=now, updated_at=now,
    )).inserted_primary_key[0]


def metafields_query(shop_id: int, owner_type: str, owner_id: int, namespace: str | None = None):  # type: ignore[no-untyped-def]
    stmt = select(metafields).where(
        metafields.c.shop_id == shop_id, metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id
    )
    if namespace:
        stmt = stmt.where(metafields.c.namespace == namespace)
    return stmt


def get_metafield(conn: Connection, shop_id: int, owner_type: str, owner_id: int, namespace: str,
                  key: str) -> Any | None:
    row = _existing(conn, owner_type, owner_id, namespace, key)
    return row if row is not None and row.shop_id == shop_id else None
