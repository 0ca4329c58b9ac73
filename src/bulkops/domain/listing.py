"""Listings: each connection's rows, search filters (Shopify's query syntax mapped onto columns) and sort
keys, defined once for the paginated resolvers and the bulk export."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, Connection, DateTime, Select, String, Table, cast, not_, or_, select

from bulkops.domain.search_syntax import Term, parse_search, parse_search_groups


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


MAX_ID = 2**63 - 1
"""Ids are signed 64-bit integers in every database: a search for one beyond them is answered, not sent."""


def _clause(column: Column, term: Term) -> Any:
    if isinstance(column.type, JSON):
        return cast(column, String).like(f'%"{term.value}"%')
    value = _value_for(column, term.value)
    if value is None:
        return _nothing(column)
    if column.key == "id" and not -MAX_ID - 1 <= value <= MAX_ID:
        return _beyond_ids(column, term.comparator, above=value > 0)
    if isinstance(value, str) and not isinstance(column.type, DateTime):
        if term.value.endswith("*"):
            return column.ilike(term.value[:-1] + "%")
        if term.comparator == "=":
            return column.ilike(value) if column.key != "status" else column == value.upper()
    ops = {">": column > value, ">=": column >= value, "<": column < value, "<=": column <= value}
    return ops.get(term.comparator, column == value)


def _nothing(column: Column) -> Any:
    return column.is_(None) & column.isnot(None)


def _beyond_ids(column: Column, comparator: str, above: bool) -> Any:
    """``id:`` compared with a number past every possible id: every row or none, by which side it lies on."""
    every_row = comparator in ("<", "<=") if above else comparator in (">", ">=")
    return column.isnot(None) if every_row else _nothing(column)


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


TermFilter = Callable[[Connection, int, Term], Any]
"""A search field that is no column: (connection, shop id, term) -> the clause (e.g. a collection's members)."""


@dataclass(frozen=True)
class Search:
    """The ``query:`` argument of one connection: its fields' columns, the column bare words match, fields
    that need a lookup, and aliases that mean another field negated (``tag_not:x`` is ``-tag:x``)."""

    fields: Mapping[str, Column]
    default: Column
    lookups: Mapping[str, TermFilter] = field(default_factory=dict)
    negating_aliases: Mapping[str, str] = field(default_factory=dict)

    def narrow(self, conn: Connection, shop_id: int, stmt: Select, query: str | None) -> Select:
        """``stmt`` with the search applied: column terms by their groups (``OR``), lookups all required."""
        text = self._unaliased(query)
        stmt = apply_search(stmt, text, dict(self.fields), self.default)
        for term in parse_search(text):
            lookup = self.lookups.get(term.field or "")
            if lookup is not None:
                clause = lookup(conn, shop_id, term)
                stmt = stmt.where(not_(clause) if term.negated else clause)
        return stmt

    def _unaliased(self, query: str | None) -> str | None:
        if not query or not self.negating_aliases:
            return query
        for alias, target in self.negating_aliases.items():
            query = re.sub(rf"\b{re.escape(alias)}:", f"-{target}:", query)
        return query


Arguments = Mapping[str, Any]
Narrowing = Callable[[Select, Arguments], Select]
"""A connection's other arguments applied to its rows (``metafields(namespace:, keys:)``)."""


@dataclass(frozen=True)
class Listing:
    """One connection's rows, for the paginated resolvers and the bulk export alike: its node type and table,
    its ``query:`` search, its sort keys, and for a nested connection the column naming the parent."""

    type_name: str
    table: Table
    sort_keys: Mapping[str, Column]
    default_sort: str
    search: Search | None = None
    parent: Column | None = None
    where: tuple[ColumnElement[bool], ...] = ()
    arguments: Narrowing | None = None

    @property
    def id_col(self) -> Column:
        return self.table.c.id

    def rows(self, conn: Connection, shop_id: int, args: Arguments) -> Select:
        """The shop's rows the arguments select (every parent's, for a nested connection)."""
        stmt = select(self.table).where(self.table.c.shop_id == shop_id, *self.where)
        if self.search is not None:
            stmt = self.search.narrow(conn, shop_id, stmt, args.get("query"))
        if self.arguments is not None:
            stmt = self.arguments(stmt, args)
        return stmt

    def of_parent(self, stmt: Select, parent_id: int) -> Select:
        assert self.parent is not None, f"{self.type_name} listing has no parent"
        return stmt.where(self.parent == parent_id)

    def sort(self, args: Arguments) -> Column:
        """The ``sortKey:`` column (an unknown key sorts like the default)."""
        default = self.sort_keys[self.default_sort]
        return self.sort_keys.get(args.get("sortKey") or self.default_sort, default)
