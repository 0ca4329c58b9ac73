"""Shops: who a token belongs to. One token identifies exactly one shop.

A token is stored only as its digest and the app secret only sealed (``secrets.py``): a shop's token is known in
clear once, when it is made (``create_shop``, ``new_access_token``), and must be printed then."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import shops
from bulkops.domain.inventory.rules import ensure_default_location, get_location
from bulkops.domain.price_lists.rules import ensure_default_price_list
from bulkops.domain.publications.rules import ensure_publications
from bulkops.domain.shops.secrets import SecretBox, token_digest

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Shop:
    id: int
    name: str
    domain: str
    is_development: bool
    access_token: str | None = None
    """In clear only where it was just made (a new shop, a new token): the database keeps its digest."""
    api_secret: str | None = None
    """In clear only where it was just made or opened with the deployment's key."""

    @property
    def gid(self) -> str:
        return f"gid://shopify/Shop/{self.id}"


class InvalidShopName(ValueError):
    pass


def _row_to_shop(row: Row[Any]) -> Shop:
    return Shop(row.id, row.name, row.domain, row.is_development)


def _new_token() -> str:
    return "shpat_" + secrets.token_hex(16)


def create_shop(conn: Connection, name: str, now: datetime, box: SecretBox, *, development: bool = False) -> Shop:
    """A new shop with a fresh admin token (``shpat_`` + 32 hex) and app secret, both in clear on the returned
    shop only (the token is stored as its digest, the secret sealed in ``box``)."""
    if not _NAME.match(name):
        raise InvalidShopName(
            f"Shop name {name!r} must be lowercase letters, digits and hyphens (as in NAME.myshopify.com)."
        )
    if conn.execute(select(shops.c.id).where(shops.c.name == name)).first():
        raise InvalidShopName(f"A shop named {name!r} already exists.")
    domain = f"{name}.myshopify.com"
    access_token = _new_token()
    api_secret = secrets.token_hex(16)
    shop_id = inserted_id(conn.execute(insert(shops).values(
        name=name, domain=domain, access_token_sha256=token_digest(access_token),
        api_secret_sealed=box.seal(api_secret), is_development=development, bulk_lock=0, created_at=now,
    )))
    seed_channels(conn, shop_id, now)
    return Shop(shop_id, name, domain, development, access_token, api_secret)


def seed_channels(conn: Connection, shop_id: int, now: datetime) -> None:
    """Every shop starts with its sales channels, its price list and its location, as a Shopify store does."""
    ensure_publications(conn, shop_id, now)
    ensure_default_price_list(conn, shop_id, now)
    ensure_default_location(conn, shop_id, now)


def shop_by_token(conn: Connection, token: str) -> Shop | None:
    row = conn.execute(select(shops).where(shops.c.access_token_sha256 == token_digest(token))).first()
    return _row_to_shop(row) if row else None


def shop_by_name(conn: Connection, name: str) -> Shop | None:
    """The shop called ``name`` (or ``name.myshopify.com``)."""
    row = conn.execute(select(shops).where(shops.c.name == name.removesuffix(".myshopify.com"))).first()
    return _row_to_shop(row) if row else None


def new_access_token(conn: Connection, shop: Shop, box: SecretBox) -> Shop:
    """A new access token for the shop (the old one stops working at once), with its app secret opened: the only
    way to see a token again, since the database keeps none in clear."""
    token = _new_token()
    conn.execute(update(shops).where(shops.c.id == shop.id).values(access_token_sha256=token_digest(token)))
    sealed = conn.execute(select(shops.c.api_secret_sealed).where(shops.c.id == shop.id)).scalar_one()
    return Shop(shop.id, shop.name, shop.domain, shop.is_development, token, box.open(sealed))


def shop_by_id(conn: Connection, shop_id: int) -> Shop | None:
    row = conn.execute(select(shops).where(shops.c.id == shop_id)).first()
    return _row_to_shop(row) if row else None


def development_shop(conn: Connection, now: datetime, box: SecretBox) -> tuple[Shop, bool]:
    """The development shop, created on first start; returns it and whether it was just created (only then does
    it carry its token in clear)."""
    row = conn.execute(select(shops).where(shops.c.is_development.is_(True)).order_by(shops.c.id)).first()
    if row:
        return _row_to_shop(row), False
    return create_shop(conn, "dev-shop", now, box, development=True), True


def list_shops(conn: Connection) -> list[Shop]:
    return [_row_to_shop(r) for r in conn.execute(select(shops).order_by(shops.c.id))]


ACCESS_SCOPES = (
    "read_products", "write_products", "read_customers", "write_customers", "read_inventory", "write_inventory",
    "read_locations", "read_files", "write_files", "read_metaobjects", "write_metaobjects",
    "read_metaobject_definitions", "write_metaobject_definitions", "read_publications", "write_publications",
    "read_gift_cards", "write_gift_cards", "read_marketing_events", "write_marketing_events", "read_orders",
)
"""What every shop token may do: the resources this server serves as connectors read them. A connector reads the
granted scopes to pick its streams: with ``read_orders`` airbyte-source-shopify syncs orders (REST), their
agreements, risks, transactions, fulfillments, refunds and tender transactions, each answered here."""


@dataclass(frozen=True)
class ShopDetails:
    """What the REST shop resource needs beyond a ``Shop``: when it was made and its primary location."""

    shop: Shop
    created_at: datetime
    primary_location_id: int | None


def shop_details(conn: Connection, shop: Shop) -> ShopDetails:
    created_at = conn.execute(select(shops.c.created_at).where(shops.c.id == shop.id)).scalar_one()
    primary = get_location(conn, shop.id, None)
    return ShopDetails(shop, created_at, primary.id if primary is not None else None)
