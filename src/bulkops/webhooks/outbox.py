"""Deliveries are rows: announced in the transaction that finishes an operation, claimed when due, and closed
by recording each attempt. A restart loses nothing because nothing lives only in memory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import shops, webhook_attempts, webhook_deliveries, webhook_subscriptions
from bulkops.engine.operations import Operation
from bulkops.webhooks.payload import BULK_OPERATIONS_FINISH, encode, finish_payload
from bulkops.webhooks.retry import RetryPolicy
from bulkops.webhooks.subscriptions import delete_subscription, finish_subscribers

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
"""Delivery statuses: still trying / got a 2xx / out of retries."""


def announce_finish(conn: Connection, op: Operation, now: datetime) -> int:
    """One delivery per ``BULK_OPERATIONS_FINISH`` subscription of the operation's shop, due at once.

    Runs inside the transaction that sets the final status, so a delivery exists if and only if the finish
    committed. All deliveries of one finish share an event id; each has its own webhook id.
    """
    subscribers = finish_subscribers(conn, op.shop_id)
    event_id = str(uuid.uuid4())
    for sub in subscribers:
        conn.execute(insert(webhook_deliveries).values(
            shop_id=op.shop_id, subscription_id=sub.id, operation_id=op.id, topic=BULK_OPERATIONS_FINISH,
            uri=sub.uri, api_version=sub.api_version, webhook_id=str(uuid.uuid4()), event_id=event_id,
            triggered_at=now, body=encode(finish_payload(op, sub.include_fields)), status=PENDING, attempts=0,
            next_attempt_at=now, created_at=now,
        ))
    return len(subscribers)


@dataclass(frozen=True)
class DueDelivery:
    """Everything one attempt needs, read once when claimed."""

    id: int
    subscription_id: int | None
    attempts: int
    uri: str
    body: str
    topic: str
    api_version: str
    webhook_id: str
    event_id: str
    triggered_at: datetime
    shop_domain: str
    shop_secret: str
    """Sealed as the database keeps it; the deliverer opens it just before signing."""


def redeliver(conn: Connection, delivery_id: int, now: datetime) -> int | None:
    """A new delivery of the same event (same body, topic, address and event id; its own webhook id), due now;
    the original keeps its history. None: no such delivery. (Shopify's own redelivery is UNCONFIRMED here:
    a copy keeps the attempt log of each delivery honest.)"""
    original = conn.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)).first()
    if original is None:
        return None
    copied = {c: getattr(original, c) for c in ("shop_id", "subscription_id", "operation_id", "topic", "uri",
                                                "api_version", "event_id", "triggered_at", "body")}
    result = conn.execute(insert(webhook_deliveries).values(
        **copied, webhook_id=str(uuid.uuid4()), status=PENDING, attempts=0, next_attempt_at=now, created_at=now))
    return inserted_id(result)


def pending_count(conn: Connection) -> int:
    """Deliveries still being tried (due now or waiting for their next try)."""
    return int(conn.execute(select(func.count()).select_from(webhook_deliveries)
                            .where(webhook_deliveries.c.status == PENDING)).scalar_one())


def has_due(conn: Connection, now: datetime) -> bool:
    return conn.execute(select(webhook_deliveries.c.id).where(
        webhook_deliveries.c.status == PENDING, webhook_deliveries.c.next_attempt_at <= now).limit(1)).first() is not None


def claim_due(conn: Connection, now: datetime, limit: int, lease_s: float) -> list[DueDelivery]:
    """Due deliveries, leased: their next try moves past the attempt, so a crash mid-attempt retries later.
    Rows another server is claiming are skipped (PostgreSQL); SQLite's write lock already serializes claims."""
    rows = conn.execute(
        select(webhook_deliveries, shops.c.domain, shops.c.api_secret_sealed)
        .join(shops, shops.c.id == webhook_deliveries.c.shop_id)
        .where(webhook_deliveries.c.status == PENDING, webhook_deliveries.c.next_attempt_at <= now)
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
        .with_for_update(of=webhook_deliveries, skip_locked=True)
    ).fetchall()
    if rows:
        conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id.in_([r.id for r in rows]))
                     .values(next_attempt_at=now + timedelta(seconds=lease_s)))
    return [DueDelivery(id=r.id, subscription_id=r.subscription_id, attempts=r.attempts, uri=r.uri, body=r.body,
                        topic=r.topic, api_version=r.api_version, webhook_id=r.webhook_id, event_id=r.event_id,
                        triggered_at=r.triggered_at, shop_domain=r.domain, shop_secret=r.api_secret_sealed) for r in rows]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. ``kind``: success, http_error, timeout or connection_error."""

    kind: str
    response_code: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.kind == "success"


def record_attempt(conn: Connection, delivery: DueDelivery, outcome: Outcome, started_at: datetime,
                   duration_ms: int, policy: RetryPolicy, now: datetime) -> bool:
    """The attempt row, then the delivery's new state: delivered, failed for good, or due again later.
    True when failing for good made its subscription go (see ``remove_failing_subscription``)."""
    number = delivery.attempts + 1
    conn.execute(insert(webhook_attempts).values(
        delivery_id=delivery.id, number=number, started_at=started_at, duration_ms=duration_ms,
        outcome=outcome.kind, response_code=outcome.response_code, error=outcome.error))
    next_try = policy.next_try(number, outcome.succeeded, now)
    status = DELIVERED if outcome.succeeded else (PENDING if next_try else FAILED)
    conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery.id).values(
        attempts=number, status=status, next_attempt_at=next_try, last_response_code=outcome.response_code,
        last_error=outcome.error, finished_at=None if status == PENDING else now))
    if status == FAILED and delivery.subscription_id is not None:
        return remove_failing_subscription(conn, delivery.subscription_id, policy)
    return False


def remove_failing_subscription(conn: Connection, subscription_id: int, policy: RetryPolicy) -> bool:
    """Remove the subscription when its latest finished deliveries failed for good often enough in a row
    (``RetryPolicy.removes_subscription``); a delivered one breaks the run. Only deliveries triggered since the
    subscription was last created or updated count: fixing the address is a fresh start, even while retries
    of older deliveries still fail at the old one. Its deliveries stay listed, and those still pending keep
    their retries, as after ``webhookSubscriptionDelete``. (Both UNCONFIRMED at Shopify: chosen so that an app
    which fixed its endpoint never loses the subscription to failures from before the fix.)

    The subscription row is locked first (PostgreSQL), so deliveries failing at once are counted one after
    the other, never each without the other.
    """
    if policy.remove_after_failures <= 0:
        return False
    sub = conn.execute(select(webhook_subscriptions.c.id, webhook_subscriptions.c.shop_id,
                              webhook_subscriptions.c.updated_at)
                       .where(webhook_subscriptions.c.id == subscription_id).with_for_update()).first()
    if sub is None:
        return False
    latest = conn.execute(
        select(webhook_deliveries.c.status)
        .where(webhook_deliveries.c.subscription_id == sub.id, webhook_deliveries.c.status != PENDING,
               webhook_deliveries.c.triggered_at >= sub.updated_at)
        .order_by(webhook_deliveries.c.finished_at.desc(), webhook_deliveries.c.id.desc())
        .limit(policy.remove_after_failures)).scalars()
    if not policy.removes_subscription(sum(1 for _ in takewhile(lambda status: status == FAILED, latest))):
        return False
    delete_subscription(conn, sub.shop_id, sub.id)
    return True


def deliveries_report(conn: Connection, shop_name: str | None = None) -> list[dict[str, Any]]:
    """Every delivery (newest first) with its attempts, for ``bulkops webhooks deliveries``."""
    stmt = (select(webhook_deliveries, shops.c.name.label("shop_name"), shops.c.domain.label("shop_domain"))
            .join(shops, shops.c.id == webhook_deliveries.c.shop_id)
            .order_by(webhook_deliveries.c.id.desc()))
    if shop_name:
        stmt = stmt.where((shops.c.name == shop_name) | (shops.c.domain == shop_name))
    deliveries = conn.execute(stmt).fetchall()
    attempts: dict[int, list[dict[str, Any]]] = {}
    if deliveries:
        rows = conn.execute(select(webhook_attempts)
                            .where(webhook_attempts.c.delivery_id.in_([d.id for d in deliveries]))
                            .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.number))
        for a in rows:
            attempts.setdefault(a.delivery_id, []).append({
                "number": a.number, "started_at": _iso(a.started_at), "duration_ms": a.duration_ms,
                "outcome": a.outcome, "response_code": a.response_code, "error": a.error})
    return [{
        "id": d.id, "shop": d.shop_name, "shop_domain": d.shop_domain, "topic": d.topic, "uri": d.uri,
        "operation_id": f"gid://shopify/BulkOperation/{d.operation_id}" if d.operation_id else None,
        "webhook_id": d.webhook_id, "event_id": d.event_id, "status": d.status, "attempt_count": d.attempts,
        "last_response_code": d.last_response_code, "last_error": d.last_error,
        "triggered_at": _iso(d.triggered_at), "next_attempt_at": _iso(d.next_attempt_at),
        "finished_at": _iso(d.finished_at), "attempts": attempts.get(d.id, []),
    } for d in deliveries]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") + "Z" if value else None
