"""The ``bulk_operations/finish`` body (spec 6.2) and the headers a delivery carries (spec 6.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

import orjson

from bulkops.clock import iso_z
from bulkops.engine.operations import Operation

BULK_OPERATIONS_FINISH = "BULK_OPERATIONS_FINISH"
TOPIC_HEADERS = {BULK_OPERATIONS_FINISH: "bulk_operations/finish"}
"""Enum value → the ``X-Shopify-Topic`` form. Only this topic fires here; others are stored and stay quiet."""


def finish_payload(op: Operation, include_fields: list[str] | None = None) -> dict[str, Any]:
    """The flat payload: lower-case status, error code and type; ``completed_at`` as the operation has it.

    Timestamps use UTC ``Z`` as in the bulk guides' examples; the webhook reference sample shows a shop offset
    instead (``-05:00``) — which one Shopify emits is UNCONFIRMED, and for a UTC shop both name the same instant.
    A canceled operation has no ``completed_at`` (null, as on the BulkOperation object; UNCONFIRMED for the
    webhook). ``includeFields``, when the subscription lists some, keeps only those keys.
    """
    body = {
        "admin_graphql_api_id": op.gid,
        "completed_at": iso_z(op.completed_at),
        "created_at": iso_z(op.created_at),
        "error_code": op.error_code.lower() if op.error_code else None,
        "status": op.status.value.lower(),
        "type": op.type.value.lower(),
    }
    if include_fields:
        body = {key: value for key, value in body.items() if key in include_fields}
    return body


def encode(body: dict[str, Any]) -> str:
    """The raw body sent (and signed): compact JSON, ``/`` not escaped."""
    return orjson.dumps(body).decode()


def signature(raw_body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256``: base64 of HMAC-SHA256 over the raw body, keyed with the app secret."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode()


def triggered_at(value: datetime) -> str:
    """``X-Shopify-Triggered-At``: UTC with fractional seconds and ``Z`` (Shopify sends nanoseconds)."""
    return value.isoformat(timespec="microseconds") + "Z"


def delivery_headers(*, topic: str, raw_body: bytes, secret: str, shop_domain: str, api_version: str,
                     webhook_id: str, event_id: str, triggered: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        # Shopify's webhook sender announces itself this way; some receivers log or route on it.
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": TOPIC_HEADERS.get(topic, topic.lower()),
        "X-Shopify-Hmac-Sha256": signature(raw_body, secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": triggered_at(triggered),
    }
