"""Webhook subscriptions: Shopify's rules over rows (spec 6.1). No GraphQL here.

Every topic of the enum is accepted and stored, so an app that registers its usual list of topics keeps
working; only ``BULK_OPERATIONS_FINISH`` ever fires on this server.

Departures from Shopify, on purpose, because this server is self-hosted and talks to receivers on private
networks: ``http://`` addresses are accepted (Shopify: "Address protocol http:// is not supported") and so are
loopback and private hosts (Shopify: "Address cannot be a Shopify or an internal domain"). Pub/Sub and
EventBridge destinations cannot be reached from here and are refused the way Shopify refuses other schemes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Select, delete, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import webhook_subscriptions
from bulkops.protocol.errors import UserError, UserErrors
from bulkops.webhooks.payload import BULK_OPERATIONS_FINISH

ADDRESS_FIELD = ["webhookSubscription", "callbackUrl"]
"""Shopify reports every address problem on ``callbackUrl``, even when the input said ``uri`` [REC 2026-04]."""
FORMAT_FIELD = ["webhookSubscription", "format"]
MAX_ADDRESS_BYTES = 65_535
DELIVERABLE_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class SubscriptionFields:
    """What a create/update input says (None = not given; on update, not given = unchanged)."""

    uri: str | None = None
    format: str | None = None
    filter: str | None = None
    include_fields: list[str] | None = None
    metafield_namespaces: list[str] | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def address_problems(uri: str) -> list[UserError]:
    """Shopify's address checks, in its wording [REC 2026-04 webhook-subscription-* captures]."""
    if not uri.strip():
        return [UserError("Address can't be blank", ADDRESS_FIELD)]
    problems: list[UserError] = []
    scheme, separator, _ = uri.partition("://")
    if not separator or not scheme:
        problems.append(UserError("Address is invalid", ADDRESS_FIELD))
    elif scheme.lower() not in DELIVERABLE_SCHEMES:
        problems.append(UserError(f"Address protocol {scheme}:// is not supported", ADDRESS_FIELD))
    elif not _host_of(uri):
        problems.append(UserError("Address is invalid", ADDRESS_FIELD))
    if len(uri.encode()) > MAX_ADDRESS_BYTES:
        problems.append(UserError("Address is too big (maximum is 64 KB)", ADDRESS_FIELD))
    return problems


def _host_of(uri: str) -> str | None:
    try:
        return urlsplit(uri).hostname
    except ValueError:
        return None


def format_problems(fmt: str) -> list[UserError]:
    """Deliveries here are JSON only; Shopify's wording for a topic that allows only JSON [REC 2026-04].
    (Whether Shopify accepts XML for ``BULK_OPERATIONS_FINISH`` is UNCONFIRMED.)"""
    if fmt.upper() == "JSON":
        return []
    return [UserError(f"Format '{fmt.lower()}' is invalid for this webhook topic. Allowed formats: json", FORMAT_FIELD)]


def _duplicate(conn: Connection, shop_id: int, row: dict[str, Any], own_id: int | None) -> bool:
    """Same topic, address, format and filter in the shop: Shopify's "already been taken"."""
    stmt = select(webhook_subscriptions.c.id).where(
        webhook_subscriptions.c.shop_id == shop_id,
        webhook_subscriptions.c.topic == row["topic"],
        webhook_subscriptions.c.uri == row["uri"],
        webhook_subscriptions.c.format == row["format"],
        webhook_subscriptions.c.filter.is_(None) if row["filter"] is None
        else webhook_subscriptions.c.filter == row["filter"],
    )
    if own_id is not None:
        stmt = stmt.where(webhook_subscriptions.c.id != own_id)
    return conn.execute(stmt.limit(1)).first() is not None


def _check(conn: Connection, shop_id: int, row: dict[str, Any], own_id: int | None) -> None:
    problems = address_problems(row["uri"]) + format_problems(row["format"])
    if not problems and _duplicate(conn, shop_id, row, own_id):
        problems.append(UserError("Address for this topic has already been taken", ADDRESS_FIELD))
    if problems:
        raise UserErrors(problems)


def create_subscription(conn: Connection, shop_id: int, topic: str, fields: SubscriptionFields, api_version: str,
                        now: datetime) -> int:
    """A new subscription; ``api_version`` is the version payloads and ``X-Shopify-API-Version`` will carry."""
    row: dict[str, Any] = {
        "shop_id": shop_id, "topic": topic, "uri": (fields.uri or "").strip(), "format": fields.format or "JSON",
        "filter": fields.filter, "include_fields": fields.include_fields or [],
        "metafield_namespaces": fields.metafield_namespaces or [], "api_version": api_version,
        "created_at": now, "updated_at": now,
    }
    _check(conn, shop_id, row, None)
    return inserted_id(conn.execute(insert(webhook_subscriptions).values(**row)))


def _not_found() -> UserError:
    return UserError("Webhook subscription does not exist", ["id"])


def update_subscription(conn: Connection, shop_id: int, subscription_id: int | None, fields: SubscriptionFields,
                        now: datetime) -> int:
    """Change what the input gives; the topic and API version stay."""
    current = get_subscription(conn, shop_id, subscription_id) if subscription_id is not None else None
    if current is None:
        raise _not_found()
    changes = fields.given()
    if "uri" in changes:
        changes["uri"] = changes["uri"].strip()
    row = {**dict(current._mapping), **changes}
    _check(conn, shop_id, row, current.id)
    conn.execute(update(webhook_subscriptions).where(webhook_subscriptions.c.id == current.id)
                 .values(**changes, updated_at=now))
    return current.id


def delete_subscription(conn: Connection, shop_id: int, subscription_id: int | None) -> int:
    """Deliveries already triggered still go to the address they were triggered for (as at Shopify)."""
    if subscription_id is None or get_subscription(conn, shop_id, subscription_id) is None:
        raise _not_found()
    conn.execute(delete(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id))
    return subscription_id


def get_subscription(conn: Connection, shop_id: int, subscription_id: int) -> Any:
    """One subscription, only if it belongs to the shop."""
    return conn.execute(select(webhook_subscriptions).where(
        webhook_subscriptions.c.id == subscription_id, webhook_subscriptions.c.shop_id == shop_id)).first()


def subscriptions_query(shop_id: int, *, topics: list[str] | None = None, fmt: str | None = None,
                        uri: str | None = None) -> Select:
    """The shop's subscriptions narrowed by ``webhookSubscriptions``' own arguments."""
    stmt = select(webhook_subscriptions).where(webhook_subscriptions.c.shop_id == shop_id)
    if topics:
        stmt = stmt.where(webhook_subscriptions.c.topic.in_(topics))
    if fmt:
        stmt = stmt.where(webhook_subscriptions.c.format == fmt)
    if uri:
        stmt = stmt.where(webhook_subscriptions.c.uri == uri)
    return stmt


def finish_subscribers(conn: Connection, shop_id: int) -> list[Any]:
    """The shop's ``BULK_OPERATIONS_FINISH`` subscriptions (never another shop's)."""
    return list(conn.execute(
        subscriptions_query(shop_id, topics=[BULK_OPERATIONS_FINISH]).order_by(webhook_subscriptions.c.id)))
