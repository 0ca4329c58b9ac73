"""Shops: who a token belongs to. One token identifies exactly one shop."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import shops
from bulkops.domain.inventory.rules import ensure_default_location
from bulkops.domain.price_lists.rules import ensure_default_price_list
from bulkops.domain.publications.rules import ensure_publications

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Shop:
    id: int
    name: str
    domain: str
    access_token: str
    api_secret: str
    is_development: bool

    @property
    def gid(self) -> str:
        return f"gid://shopify/Shop/{self.id}"


class InvalidShopName(ValueError):
    pass


def _row_to_shop(row: Row[Any]) -> Shop:
    return Shop(row.id, row.name, row.domain, row.access_token, row.api_secret, row.is_development)


def create_shop(conn: Connection, name: str, now: datetime, *, development: bool = False) -> Shop:
    """A new shop with a fresh admin token (``shpat_`` + 32 hex) and app secret."""
    if not _NAME.match(name):
        raise InvalidShopName(
            f"Shop name {name!r} must be lowercase letters, digits and hyphens (as in NAME.myshopify.com)."
        )
    if conn.execute(select(shops.c.id).where(shops.c.name == name)).first():
        raise InvalidShopName(f"A shop named {name!r} already exists.")
    domain = f"{name}.myshopify.com"
    access_token = "shpat_" + secrets.token_hex(16)
    api_secret = secrets.token_hex(16)
    shop_id = inserted_id(conn.execute(insert(shops).values(
        name=name, domain=domain, access_token=access_token, api_secret=api_secret, is_development=development,
        bulk_lock=0, created_at=now,
    )))
    _seed_channels(conn, shop_id, now)
    return Shop(shop_id, name, domain, access_token, api_secret, development)


def _seed_channels(conn: Connection, shop_id: int, now: datetime) -> None:
    """Every shop starts with its sales channels, its price list and its location, as a Shopify store does."""
    ensure_publications(conn, shop_id, now)
    ensure_default_price_list(conn, shop_id, now)
    ensure_default_location(conn, shop_id, now)


def shop_by_token(conn: Connection, token: str) -> Shop | None:
    row = conn.execute(select(shops).where(shops.c.access_token == token)).first()
    return _row_to_shop(row) if row else None


def shop_by_id(conn: Connection, shop_id: int) -> Shop | None:
    row = conn.execute(select(shops).where(shops.c.id == shop_id)).first()
    return _row_to_shop(row) if row else None


def development_shop(conn: Connection, now: datetime) -> tuple[Shop, bool]:
    """The development shop, created on first start; returns it and whether it was just created."""
    row = conn.execute(select(shops).where(shops.c.is_development.is_(True)).order_by(shops.c.id)).first()
    if row:
        return _row_to_shop(row), False
    return create_shop(conn, "dev-shop", now, development=True), True


def list_shops(conn: Connection) -> list[Shop]:
    return [_row_to_shop(r) for r in conn.execute(select(shops).order_by(shops.c.id))]
