"""Shopify's search syntax (``title:foo status:active created_at:>2025-01-01 -tag:x "two words"``),
tokenized into terms that each resource maps to its own columns."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'(-)?(?:([A-Za-z_][A-Za-z0-9_.]*):)?(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_COMPARATOR = re.compile(r"^(>=|<=|>|<|=)?(.*)$", re.S)


@dataclass(frozen=True)
class Term:
    field: str | None
    comparator: str
    value: str
    negated: bool = False


def parse_search(query: str | None) -> list[Term]:
    """Terms of a search string; ``AND`` is implied and the words ``AND``/``OR`` are skipped."""
    if not query:
        return []
    terms: list[Term] = []
    for match in _TOKEN.finditer(query):
        negated, field, dq, sq, bare = match.groups()
        raw = dq if dq is not None else sq if sq is not None else bare or ""
        if field is None and raw in ("AND", "OR"):
            continue
        comparator, value = "=", raw
        if dq is None and sq is None:
            comp = _COMPARATOR.match(raw)
            if comp:
                comparator, value = comp.group(1) or "=", comp.group(2)
        terms.append(Term(field.lower() if field else None, comparator, value, bool(negated)))
    return terms
