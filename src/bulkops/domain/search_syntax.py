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
    """Terms of a search string, connectives dropped (for filters where every term must hold)."""
    return [term for group in parse_search_groups(query) for term in group]


def parse_search_groups(query: str | None) -> list[list[Term]]:
    """Groups of terms: every group must hold, and a group holds when any of its terms does.

    ``AND`` is implied between terms; ``OR`` joins its two neighbours into one group, so
    ``vendor:a tag:x OR tag:y`` reads as ``vendor:a AND (tag:x OR tag:y)``.
    """
    groups: list[list[Term]] = []
    joining = False
    for term in _terms(query):
        if term is None:
            joining = bool(groups)
        elif joining:
            groups[-1].append(term)
            joining = False
        else:
            groups.append([term])
    return groups


def _terms(query: str | None) -> list[Term | None]:
    """Each term, with ``None`` where an ``OR`` stands (``AND`` is the default and is dropped)."""
    if not query:
        return []
    terms: list[Term | None] = []
    for match in _TOKEN.finditer(query):
        negated, field, dq, sq, bare = match.groups()
        raw = dq if dq is not None else sq if sq is not None else bare or ""
        if field is None and raw in ("AND", "OR"):
            if raw == "OR":
                terms.append(None)
            continue
        comparator, value = "=", raw
        if dq is None and sq is None:
            comp = _COMPARATOR.match(raw)
            if comp:
                comparator, value = comp.group(1) or "=", comp.group(2)
        terms.append(Term(field.lower() if field else None, comparator, value, bool(negated)))
    return terms
