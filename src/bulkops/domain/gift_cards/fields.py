"""GiftCard: each field's source, once (domain/fields.py); its customer and recipient are other nodes,
answered by the GraphQL layer."""

from __future__ import annotations

from bulkops.domain.fields import Computed, Const, FieldMap, Plain, Resolved, columns, no_rows
from bulkops.domain.money import money

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
    "order": Const(None), "transactions": Const(no_rows),
    "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time"),
})
