"""Listings: each connection's rows, search filters (Shopify's query syntax mapped onto columns) and sort
keys, defined once for the paginated resolvers and the bulk export."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    false,
    not_,
    or_,
    select,
)

from bulkops.domain.search_syntax import AllOf, Query, Term, parse_query

SearchColumn = Column | ColumnElement
"""What a search field compares: a column, or an expression over one (a price kept as text, cast to a number)."""

TermClause = Callable[[Term], Any]
"""A term's SQL clause, or None for a term this search does not know (ignored, as Shopify ignores it)."""


MAX_ID = 2**63 - 1
"""Integer columns (ids) are signed 64-bit in every database: a number beyond them is answered, not sent."""


def _beyond_ids(column: SearchColumn, comparator: str, above: bool) -> Any:
    """A number past every storable one: every row or none, by which side it lies on."""
    every_row = comparator in ("<", "<=") if above else comparator in (">", ">=")
    return column.isnot(None) if every_row else false()


def _like_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _moment(raw: str) -> tuple[datetime, timedelta] | None:
    """A date or a datetime (any UTC offset, ``Z`` too) as a naive UTC time, as stored, with how long it lasts: a
    date is its whole day (``created_at:2025-11-01`` is that day, ``:<=2025-11-01`` up to its end), a time an
    instant. Shops keep UTC here, so a date's day is the UTC day."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time()), timedelta(days=1)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment, timedelta(0)


def _time_clause(column: SearchColumn, term: Term) -> Any:
    moment = _moment(term.value)
    if moment is None:
        return false()
    start, span = moment
    end = start + span
    if term.comparator == ">":
        return column >= end if span else column > start
    if term.comparator == ">=":
        return column >= start
    if term.comparator == "<":
        return column < start
    if term.comparator == "<=":
        return column < end if span else column <= start
    return and_(column >= start, column < end) if span else column == start


def time_matches(value: datetime, term: Term) -> bool:
    """``_time_clause`` for a value in hand (rows computed in Python, such as inventory levels): the same
    reading of dates, days and comparators, negation included; a value that is no date matches nothing (so its
    negation, everything)."""
    moment = _moment(term.value)
    if moment is None:
        return term.negated
    start, span = moment
    end = start + span
    held = {">": value >= end if span else value > start, ">=": value >= start, "<": value < start,
            "<=": value < end if span else value <= start}.get(term.comparator)
    if held is None:
        held = start <= value < end if span else value == start
    return held != term.negated


def _number(column: SearchColumn, raw: str) -> Any:
    """The term's value as the column's number (an id's column takes a global id too); None when it is none."""
    text = raw.rsplit("/", 1)[-1] if isinstance(column.type, Integer) else raw
    try:
        return int(text) if isinstance(column.type, Integer) else Decimal(text)
    except (ValueError, InvalidOperation):
        return None


def _compared(column: SearchColumn, comparator: str, value: Any) -> Any:
    return {">": column > value, ">=": column >= value, "<": column < value,
            "<=": column <= value}.get(comparator, column == value)


def _text_clause(column: SearchColumn, term: Term) -> Any:
    prefix = term.prefix
    if prefix is not None:
        return column.ilike(_like_text(prefix) + "%", escape="\\")
    if term.comparator != "=":
        return _compared(column, term.comparator, term.value)
    if getattr(column, "key", None) == "status":
        return column == term.value.upper()
    return column.ilike(_like_text(term.value), escape="\\")


def _exists(column: SearchColumn) -> Any:
    if isinstance(column.type, JSON):
        return and_(column.isnot(None), cast(column, String) != "[]")
    if isinstance(column.type, String):
        return and_(column.isnot(None), column != "")
    return column.isnot(None)


def _clause(column: SearchColumn, term: Term) -> Any:
    """``field:value`` on one column, by the column's kind: a list of tags holds the value, a time compares as a
    moment or a day, a number as a number, a flag as ``true``/``false``, text case-insensitively (``value*`` as a
    prefix)."""
    if term.exists:
        return _exists(column)
    if isinstance(column.type, Boolean):
        flag = term.value.lower()
        return column.is_(flag == "true") if flag in ("true", "false") else false()
    if isinstance(column.type, JSON):
        inner = _like_text(term.prefix if term.prefix is not None else term.value)
        pattern = f'%"{inner}%' if term.prefix is not None else f'%"{inner}"%'
        return cast(column, String).ilike(pattern, escape="\\")
    if isinstance(column.type, DateTime):
        return _time_clause(column, term)
    if isinstance(column.type, Integer | Numeric):
        number = _number(column, term.value)
        if number is None:
            return false()
        if isinstance(column.type, Integer) and not -MAX_ID - 1 <= number <= MAX_ID:
            return _beyond_ids(column, term.comparator, above=number > 0)
        return _compared(column, term.comparator, number)
    return _text_clause(column, term)


def search_clause(node: Query | None, clause_of: TermClause) -> Any:
    """The SQL of a parsed search: ``AND`` and ``OR`` as such, each term by ``clause_of`` (negated when it
    is); a term it does not know drops out. None when nothing is left to narrow by."""
    if node is None:
        return None
    if isinstance(node, Term):
        clause = clause_of(node)
        return None if clause is None else not_(clause) if node.negated else clause
    parts = [c for c in (search_clause(part, clause_of) for part in node.parts) if c is not None]
    if not parts:
        return None
    join = and_ if isinstance(node, AllOf) else or_
    return parts[0] if len(parts) == 1 else join(*parts)


def column_terms(fields: Mapping[str, SearchColumn], default: SearchColumn) -> TermClause:
    """Terms on columns: a bare word matches ``default`` as a substring; an unknown field is None."""

    def clause_of(term: Term) -> Any:
        if term.field is None:
            return default.ilike(f"%{_like_text(term.value.rstrip('*'))}%", escape="\\")
        column = fields.get(term.field)
        return None if column is None else _clause(column, term)

    return clause_of


def apply_search(stmt: Select, query: str | None, fields: Mapping[str, SearchColumn], default: SearchColumn) -> Select:
    """Narrow ``stmt`` by a search over columns; unknown fields are ignored."""
    clause = search_clause(parse_query(query), column_terms(fields, default))
    return stmt if clause is None else stmt.where(clause)


TermFilter = Callable[[Connection, int, Term], Any]
"""A search field that is no column: (connection, shop id, term) -> the clause (e.g. a collection's members)."""


def through(key: Column, link: Column, column: SearchColumn) -> TermFilter:
    """A field of related rows: ``key`` among the ``link`` values of the rows whose ``column`` matches the term
    (a product's ``sku:`` is any of its variants'; ``-sku:`` then means none of them)."""

    def lookup(conn: Connection, shop_id: int, term: Term) -> Any:
        return key.in_(select(link).where(_clause(column, term)))

    return lookup


def any_of(column: Column) -> TermFilter:
    """``field:1,2,3``: the column is one of the listed numbers (global ids too), written into the SQL (the
    export's driver path runs it as compiled)."""

    def lookup(conn: Connection, shop_id: int, term: Term) -> Any:
        numbers = [_number(column, part.strip()) for part in term.value.split(",") if part.strip()]
        listed = [n for n in numbers if n is not None]
        return column.in_(bindparam("listed", listed, unique=True, expanding=True, literal_execute=True))

    return lookup


@dataclass(frozen=True)
class Search:
    """The ``query:`` argument of one connection: its fields' columns, the column bare words match, fields
    that need a lookup, and aliases that mean another field negated (``tag_not:x`` is ``-tag:x``)."""

    fields: Mapping[str, SearchColumn]
    default: SearchColumn
    lookups: Mapping[str, TermFilter] = field(default_factory=dict)
    negating_aliases: Mapping[str, str] = field(default_factory=dict)

    def narrow(self, conn: Connection, shop_id: int, stmt: Select, query: str | None) -> Select:
        """``stmt`` with the search applied, columns and lookups alike within its ``AND``/``OR``/``NOT``."""
        on_columns = column_terms(self.fields, self.default)

        def clause_of(term: Term) -> Any:
            lookup = self.lookups.get(term.field or "")
            return on_columns(term) if lookup is None else lookup(conn, shop_id, term)

        clause = search_clause(self._unaliased(parse_query(query)), clause_of)
        return stmt if clause is None else stmt.where(clause)

    def _unaliased(self, node: Query | None) -> Query | None:
        if node is None or not self.negating_aliases:
            return node
        if isinstance(node, Term):
            target = self.negating_aliases.get(node.field or "")
            return node if target is None else replace(node, field=target, negated=not node.negated)
        return type(node)(tuple(part for part in map(self._unaliased, node.parts) if part is not None))


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
