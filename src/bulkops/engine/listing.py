"""``bulkOperations(query:)``: Shopify's search filters over a shop's operations, with its warnings, and its pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, false, select

from bulkops.db.tables import bulk_operations
from bulkops.domain.paging import Page, Window, read_page
from bulkops.domain.search_syntax import Term, parse_search
from bulkops.protocol.errors import RequestError

STATUSES = ("canceled", "canceling", "completed", "created", "failed", "running")
TYPES = ("query", "mutation")
_COMPARE = {"=": "__eq__", ">": "__gt__", ">=": "__ge__", "<": "__lt__", "<=": "__le__"}


@dataclass
class Filtered:
    statement: Select
    warnings: list[dict[str, str]] = field(default_factory=list)
    parsed: dict[str, Any] | None = None


def _timestamp(raw: str) -> datetime:
    text = raw.strip("'\"").rstrip("Z").replace("T", " ")
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RequestError("Invalid timestamp for query filter `created_at`.", "BAD_REQUEST") from exc
    return value.replace(tzinfo=None)


def _apply(stmt: Select, term: Term, out: Filtered) -> Select:
    column_op = _COMPARE.get(term.comparator, "__eq__")
    if term.field == "status":
        value = term.value.lower()
        if value not in STATUSES:
            out.warnings.append({"field": "status", "message": f"Input `{term.value}` is not an accepted value.",
                                 "code": "invalid_value"})
            return stmt.where(false())
        return stmt.where(bulk_operations.c.status == value.upper())
    if term.field == "operation_type":
        value = term.value.lower()
        if value not in TYPES:
            out.warnings.append({"field": "operation_type",
                                 "message": f"Input `{term.value}` is not an accepted value.", "code": "invalid_value"})
            return stmt.where(false())
        return stmt.where(bulk_operations.c.type == value.upper())
    if term.field == "created_at":
        return stmt.where(getattr(bulk_operations.c.created_at, column_op)(_timestamp(term.value)))
    if term.field == "id":
        try:
            number = int(term.value.rsplit("/", 1)[-1])
        except ValueError:
            out.warnings.append({"field": "id", "message": f"Input `{term.value}` is not an accepted value.",
                                 "code": "invalid_value"})
            return stmt.where(false())
        return stmt.where(getattr(bulk_operations.c.id, column_op)(number))
    out.warnings.append({"field": term.field or "", "message": "Invalid search field for this query.",
                         "code": "invalid_field"})
    return stmt


def filtered_operations(shop_id: int, query: str | None) -> Filtered:
    """A shop's operations narrowed by ``query``; EXPIRED ones are listed too (status filter can't name them)."""
    out = Filtered(select(bulk_operations).where(bulk_operations.c.shop_id == shop_id))
    terms = parse_search(query)
    for term in terms:
        if term.field is None:
            continue
        out.statement = _apply(out.statement, term, out)
    if terms and out.warnings:
        first = terms[0]
        out.parsed = {"field": first.field, "match_all": first.value}
    return out


def operations_page(conn: Connection, filtered: Filtered, window: Window) -> Page:
    """A page of the filtered operations, newest first by creation (or, ``COMPLETED_AT``, by completion)."""
    sort = bulk_operations.c.completed_at if window.sort_key == "COMPLETED_AT" else bulk_operations.c.created_at
    return read_page(conn, filtered.statement, sort=sort, id_col=bulk_operations.c.id, window=window,
                     descending_by_default=True)
