"""Metafield: each field's source, once (domain/fields.py); ``reference`` and ``owner`` are other nodes,
answered by the GraphQL layer."""

from __future__ import annotations

from bulkops.domain.fields import Computed, Const, FieldMap, Resolved, columns, common
from bulkops.domain.metafields.rules import compare_digest
from bulkops.domain.metafields.types import json_value

OWNER_TYPE_ENUM = {"ProductVariant": "PRODUCTVARIANT", "DraftOrder": "DRAFTORDER", "CompanyLocation": "COMPANY_LOCATION"}
"""``MetafieldOwnerType`` values that are not the owner's type name in capitals."""

METAFIELD = FieldMap("Metafield", {
    **common(), **columns(namespace="namespace", key="key", value="value", type="type"),
    "jsonValue": Computed(lambda row: json_value(row.type, row.value)),
    "ownerType": Computed(lambda row: OWNER_TYPE_ENUM.get(row.owner_type, row.owner_type.upper())),
    "compareDigest": Computed(lambda row: compare_digest(row.type, row.value)),
    "description": Const(None), "definition": Const(None),
    "reference": Resolved(), "owner": Resolved(),
})
