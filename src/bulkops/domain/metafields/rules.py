"""Metafields: typed values attached to an owner; ``metafieldsSet`` is atomic, capped at 25 and
compare-and-set when a ``compareDigest`` is given."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, Table, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import metadata, metafields, shops
from bulkops.domain.metafields.types import check_value, is_known_type
from bulkops.protocol.errors import UserError, UserErrors

MAX_PER_CALL = 25
DEFAULT_NAMESPACE = "custom"
RESOURCE_TABLES = {
    "Product": "products", "ProductVariant": "product_variants", "Customer": "customers",
    "Collection": "collections", "Order": "orders", "DraftOrder": "draft_orders", "Location": "locations",
    "Company": "companies", "CompanyLocation": "company_locations", "Page": "pages", "Blog": "blogs",
    "Article": "articles", "Market": "markets", "Metaobject": "metaobjects", "GiftCard": "gift_cards",
}
OWNER_TYPES = {
    "Product", "ProductVariant", "Customer", "Collection", "Order", "DraftOrder", "Location", "Company",
    "CompanyLocation", "Page", "Blog", "Article", "Market", "Shop",
}
OWNER_TABLES = RESOURCE_TABLES  # kept for callers that still look owners up by this name
NOT_GIVEN: Any = object()
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class MetafieldInput:
    owner_type: str
    owner_id: int
    namespace: str | None
    key: str
    value: str
    type: str | None
    compare_digest: Any = NOT_GIVEN
    """NOT_GIVEN: no write guarantee; None: only if the metafield does not exist yet; a digest: only if unchanged."""


def compare_digest(kind: str, value: str) -> str:
    """A digest of the persisted value (what ``Metafield.compareDigest`` shows and ``metafieldsSet`` compares)."""
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()


def resource_exists(conn: Connection, shop_id: int, type_name: str, number: int) -> bool:
    """Whether a resource of ``type_name`` with this number is in the shop (unknown kinds never are)."""
    if type_name == "Shop":
        return number == shop_id and conn.execute(select(shops.c.id).where(shops.c.id == shop_id)).first() is not None
    table: Table | None = metadata.tables.get(RESOURCE_TABLES.get(type_name, ""))
    if table is None or "shop_id" not in table.c:
        return False
    return conn.execute(
        select(table.c.id).where(table.c.id == number, table.c.shop_id == shop_id)
    ).first() is not None


def owner_exists(conn: Connection, shop_id: int, owner_type: str, owner_id: int) -> bool:
    return owner_type in OWNER_TYPES and resource_exists(conn, shop_id, owner_type, owner_id)


def _name_problem(text: str, label: str, low: int, high: int) -> tuple[str, str] | None:
    if len(text) < low:
        return f"{label} is too short (minimum is {low} characters)", "TOO_SHORT"
    if len(text) > high:
        return f"{label} is too long (maximum is {high} characters)", "TOO_LONG"
    if not _NAME.match(text):
        return f"{label} contains one or more invalid characters.", "INVALID"
    return None


@lru_cache(maxsize=4096)
def names_problem(namespace: str, key: str) -> tuple[str, str, str] | None:
    """What is wrong with a metafield's namespace or key, as (message, field, code); None if nothing.
    Namespaces and keys repeat from line to line of a bulk import: each pair is checked once."""
    for text, label, field, low, high in ((namespace, "Namespace", "namespace", 3, 255),
                                          (key, "Key", "key", 2, 64)):
        problem = _name_problem(text, label, low, high)
        if problem:
            return problem[0], field, problem[1]
    return None


def value_problem(kind: str | None, value: str, lookup: Callable[[str, int], bool]) -> tuple[str, str, str] | None:
    """What is wrong with a metafield's type or value, as (message, field, code); None if nothing. ``lookup``
    answers whether a referenced resource exists (only reference types ask)."""
    if not kind:
        return "Type can't be blank", "type", "BLANK"
    if not is_known_type(kind):
        return f"Type '{kind}' is not a valid metafield type.", "type", "INVALID_TYPE"
    if value == "":
        return "Value can't be blank", "value", "BLANK"
    problem = check_value(kind, value, lookup)
    return (problem, "value", "INVALID_VALUE") if problem else None


def _check(conn: Connection, shop_id: int, index: int, item: MetafieldInput, namespace: str) -> UserError | None:
    at = ["metafields", str(index)]

    def error(message: str, field: str, code: str) -> UserError:
        return UserError(message, [*at, field], code, {"elementIndex": index})

    if not owner_exists(conn, shop_id, item.owner_type, item.owner_id):
        return error("Owner does not exist.", "ownerId", "INVALID")
    names = names_problem(namespace, item.key)
    if names:
        return error(*names)
    existing = _existing(conn, item.owner_type, item.owner_id, namespace, item.key)
    problem = value_problem(item.type or (existing.type if existing else None), item.value,
                            lambda type_name, number: resource_exists(conn, shop_id, type_name, number))
    if problem:
        return error(*problem)
    if item.compare_digest is not NOT_GIVEN:
        if item.compare_digest is not None and not _DIGEST.match(str(item.compare_digest)):
            return error("The compareDigest is invalid.", "compareDigest", "INVALID_COMPARE_DIGEST")
        current = compare_digest(existing.type, existing.value) if existing else None
        if current != item.compare_digest:
            return error("The resource has been updated since it was loaded. Try again with an updated "
                         "`compareDigest` value.", "compareDigest", "STALE_OBJECT")
    return None


def set_metafields(conn: Connection, shop_id: int, inputs: list[MetafieldInput], now: datetime,
                   default_namespace: str = DEFAULT_NAMESPACE) -> list[int]:
    """All or nothing: every input is checked before anything is written; the ids come back in input order."""
    if len(inputs) > MAX_PER_CALL:
        raise UserError(f"Exceeded the maximum metafields input limit of {MAX_PER_CALL}.", ["metafields"],
                        "LESS_THAN_OR_EQUAL_TO")
    errors = [e for index, item in enumerate(inputs)
              if (e := _check(conn, shop_id, index, item, item.namespace or default_namespace))]
    if errors:
        raise UserErrors(errors)
    return [_upsert(conn, shop_id, item, item.namespace or default_namespace, now) for item in inputs]


def _existing(conn: Connection, owner_type: str, owner_id: int, namespace: str, key: str) -> Any | None:
    return conn.execute(select(metafields).where(
        metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id,
        metafields.c.namespace == namespace, metafields.c.key == key,
    )).first()


def _upsert(conn: Connection, shop_id: int, item: MetafieldInput, namespace: str, now: datetime) -> int:
    existing = _existing(conn, item.owner_type, item.owner_id, namespace, item.key)
    if existing is not None:
        conn.execute(update(metafields).where(metafields.c.id == existing.id).values(
            value=item.value, type=item.type or existing.type, updated_at=now))
        return existing.id
    return inserted_id(conn.execute(insert(metafields).values(**new_metafield_row(
        shop_id, item.owner_type, item.owner_id, namespace, item.key, item.value, item.type, now))))


def new_metafield_row(shop_id: int | None, owner_type: str, owner_id: int | None, namespace: str, key: str,
                      value: str, kind: str | None, now: datetime | None) -> dict[str, Any]:
    """A new metafield's columns (None ids and time: a batch writer fills them in)."""
    return {"shop_id": shop_id, "owner_type": owner_type, "owner_id": owner_id, "namespace": namespace, "key": key,
            "value": value, "type": kind, "created_at": now, "updated_at": now}


def metafields_query(shop_id: int, owner_type: str, owner_id: int, namespace: str | None = None) -> Select:
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


def get_metafield_by_id(conn: Connection, shop_id: int, metafield_id: int) -> Any | None:
    return conn.execute(
        select(metafields).where(metafields.c.id == metafield_id, metafields.c.shop_id == shop_id)
    ).first()
