"""Shopify's Admin API SDL (the subset bulkops serves), the contract server and client share: the server binds
resolvers to it, the client checks documents and variables against it. One text per API generation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent

_LEGACY_EDITS = (
    ("  bulkOperation(id: ID!): BulkOperation\n", ""),
    (
        "  bulkOperations(after: String, before: String, first: Int, last: Int, query: String, reverse: Boolean = "
        "false, sortKey: BulkOperationsSortKeys = CREATED_AT): BulkOperationConnection!\n",
        "",
    ),
    ("bulkOperationRunQuery(groupObjects: Boolean! = false,", "bulkOperationRunQuery(groupObjects: Boolean! = true,"),
    (
        'groupObjects: Boolean = true @deprecated(reason: "This argument has no effect on output order.")',
        "groupObjects: Boolean! = true",
    ),
)
"""How versions before 2026-01 differ: no ``bulkOperation(id:)`` nor ``bulkOperations``, and ``groupObjects``
is required and defaults to true."""


@cache
def admin_sdl(modern: bool) -> str:
    """The SDL of 2026-01 and later (``modern``) or of the versions before it."""
    text = (_HERE / "admin.graphql").read_text()
    if not modern:
        for old, new in _LEGACY_EDITS:
            if old not in text:
                raise RuntimeError(f"schema edit for versions before 2026-01 no longer applies: {old[:60]!r}")
            text = text.replace(old, new, 1)
    return text + "\n" + (_HERE / "extensions.graphql").read_text()


def is_modern(version: str) -> bool:
    """2026-01 and later (and ``unstable``) speak the modern SDL; earlier versions the legacy one."""
    return version >= "2026-01"
