"""Search filters for resource listings: Shopify's query syntax mapped onto columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Select, String, cast, not_, or_

from bulkops.domain.search_syntax import Term, parse_search_groups


def _value_for(column: Column, raw: str) -> Any:
    if isinstance(column.type, DateTime):
        text = raw.rstrip("Z").replace("T", " ")
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    if column.key == "id":
        try:
            return int(raw.rsplit("/", 1)[-1])
        except ValueError:
            return None
    return raw


def _clause(column: Column, term: Term) -> Any:
    if isinstance(column.type, JSON):
        return cast(column, String).like(f'%"{term.value}"%')
    value = _value_for(column, term.value)
    if value is None:
        return column.is_(None) & column.isnot(None)
    if isinstance(value, str) and not isinstance(column.type, DateTime):
        if term.value.endswith("*"):
            return column.ilike(term.value[:-1] + "%")
        if term.comparator == "=":
            return column.ilike(value) if column.key != "status" else column == value.upper()
    ops = {">": column > value, ">=": column >= value, "<": column < value, "<=": column <= value}
    return ops.get(term.comparator, column == value)


def apply_search(stmt: Select, query: str | None, fields: dict[str, Column], default: Column) -> Select:
    """Narrow ``stmt`` by each group of terms (``OR`` joins terms into a group); a bare word matches ``default``
    as a substring; unknown fields are ignored."""
    for group in parse_search_groups(query):
        clauses = [c for c in (_term_clause(term, fields, default) for term in group) if c is not None]
        if clauses:
            stmt = stmt.where(or_(*clauses) if len(clauses) > 1 else clauses[0])
    return stmt


def _term_clause(term: Term, fields: dict[str, Column], default: Column) -> Any:
    if term.field is None:
        clause = default.ilike(f"%{term.value.rstrip('*')}%")
    elif term.field in fields:
        clause = _clause(fields[term.field], term)
    else:
        return None
    return not_(clause) if term.negated else clause
