"""Shopify's Admin API SDL (the subset bulkops serves), the contract server and client share: the server binds
resolvers to it, the client checks documents and variables against it. One text per API generation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import DocumentNode, parse

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


@cache
def admin_document(modern: bool) -> DocumentNode:
    """The SDL parsed, once per process: parsing 250 KB of SDL is most of a server's start-up, so the
    legacy document re-parses only the few definitions that ``_LEGACY_EDITS`` change (the same edits the text
    gets, applied definition by definition)."""
    if modern:
        return parse(admin_sdl(True))
    modern_document = admin_document(True)
    assert modern_document.loc is not None
    body = modern_document.loc.source.body
    applied: set[str] = set()
    definitions = []
    for node in modern_document.definitions:
        assert node.loc is not None
        text = body[node.loc.start:node.loc.end]
        edited = _edited(text, applied)
        definitions.append(node if edited is text else parse(edited).definitions[0])
    missing = [old for old, _ in _LEGACY_EDITS if old not in applied]
    if missing:
        raise RuntimeError(f"schema edit for versions before 2026-01 no longer applies: {missing[0][:60]!r}")
    return DocumentNode(definitions=tuple(definitions))


def _edited(text: str, applied: set[str]) -> str:
    """``text`` with the legacy edits that occur in it (the same object when none does)."""
    for old, new in _LEGACY_EDITS:
        if old in text:
            text = text.replace(old, new, 1)
            applied.add(old)
    return text


def is_modern(version: str) -> bool:
    """2026-01 and later (and ``unstable``) speak the modern SDL; earlier versions the legacy one."""
    return version >= "2026-01"
