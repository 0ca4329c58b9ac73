"""WebhookSubscription: each field's source, once (domain/fields.py)."""

from __future__ import annotations

from typing import Any

from bulkops.domain.fields import Computed, Const, FieldMap, Plain, columns
from bulkops.protocol.versions import public_api_versions


def present_api_version(handle: str) -> dict[str, Any]:
    known = {v["handle"]: v for v in public_api_versions()}
    return known.get(handle, {"handle": handle, "displayName": handle, "supported": False})


SUBSCRIPTION = FieldMap("WebhookSubscription", {
    "id": Plain("id", "gid"), "legacyResourceId": Plain("id", "text"),
    **columns(topic="topic", format="format", uri="uri", callbackUrl="uri", filter="filter",
              includeFields="include_fields", metafieldNamespaces="metafield_namespaces"),
    "endpoint": Computed(lambda row: {"__typename": "WebhookHttpEndpoint", "callbackUrl": row.uri}),
    "metafields": Const([]),
    "apiVersion": Computed(lambda row: present_api_version(row.api_version)),
    "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time"),
})
"""``apiVersion`` is the version the subscription was created with: Shopify reports the app's webhook API
version there, and an app here has no other setting than the version it speaks."""
