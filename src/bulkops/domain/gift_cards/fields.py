"""GiftCard: each field's source, once (domain/fields.py); its customer and recipient are other nodes,
answered by the GraphQL layer."""

from __future__ import annotations

from typing import Any

from bulkops.domain.fields import EMPTY_CONNECTION, Computed, Const, FieldMap, Plain, Resolved, columns
from bulkops.domain.money import money


def _no_transactions(info: Any, **_: Any) -> Any:
    """``transactions(first:…)``: this server records no gift card transactions."""
    return EMPTY_CONNECTION


GIFT_CARD = FieldMap("GiftCard", {
    "id": Plain("id", "gid"),
    "balance": Computed(lambda row: money(row.balance, row.currency)),
    "initialValue": Computed(lambda row: money(row.initial_value, row.currency)),
    "lastCharacters": Computed(lambda row: row.code[-4:]),
    "maskedCode": Computed(lambda row: f"•••• •••• •••• {row.code[-4:]}"),
    **columns(enabled="enabled", note="note", templateSuffix="template_suffix"),
    "deactivatedAt": Plain("deactivated_at", "time"),
    "expiresOn": Computed(lambda row: row.expires_on.isoformat() if row.expires_on else None),
    "customer": Resolved(), "recipientAttributes": Resolved(),
    "order": Const(None), "transactions": Const(_no_transactions),
    "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time"),
})
