"""Cursor pagination over any table, Relay style (first/after/last/before/reverse), keyset on
(sort value, id) so pages stay stable while rows are added."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Column, Connection, Select, and_, or_


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    has_next_page: bool
    has_previous_page: bool
    cursors: list[str]

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


class BadCursor(ValueError):
    pass


def encode_cursor(last_id: int, last_value: Any = None) -> str:
    payload: dict[str, Any] = {"last_id": last_id}
    if last_value is not None:
        payload["last_value"] = str(last_value) if not isinstance(last_value, int | float) else last_value
    return base64.b64encode(orjson.dumps(payload)).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        value = orjson.loads(base64.b64decode(cursor.encode(), validate=True))
    except Exception as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(value, dict) or not _is_id(value.get("last_id")) or not _is_scalar(value.get("last_value")):
        raise BadCursor(cursor)
    return value


def _is_id(value: Any) -> bool:
    """A row id as the database stores it: an integer (not a boolean) in the signed 64-bit range."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _is_scalar(value: Any) -> bool:
    """A sort value as ``encode_cursor`` writes one (a boolean column's values stay booleans)."""
    return value is None or isinstance(value, str | int | float)


def _beyond(sort: Column, id_col: Column, cursor: str, descending: bool) -> Any:
    """Rows after ``cursor``; a cursor whose sort value the column cannot hold is as invalid as garbage."""
    try:
        return _after(sort, id_col, decode_cursor(cursor), descending)
    except BadCursor as exc:
        raise BadCursor(cursor) from exc


def _after(sort: Column, id_col: Column, cursor: dict[str, Any], descending: bool) -> Any:
    last_value = _coerce(sort, cursor["last_value"]) if "last_value" in cursor else None
    return after_row(sort, id_col, cursor["last_id"], last_value, descending)


def after_row(sort: Any, id_col: Column, last_id: Any, last_value: Any, descending: bool) -> Any:
    """The rows after (``last_value``, ``last_id``) in (sort, id) order, where null sort values come first
    ascending and last descending (the order :func:`keyset_order` asks every database for); ``last_value``
    None is a null sort value. The paginated resolvers and the bulk export (whose driver path passes bound
    parameters) continue with this."""
    if sort is id_col:
        return id_col < last_id if descending else id_col > last_id
    if last_value is None:
        beyond_nulls = and_(sort.is_(None), id_col < last_id if descending else id_col > last_id)
        return beyond_nulls if descending else or_(beyond_nulls, sort.isnot(None))
    if descending:
        return or_(sort < last_value, and_(sort == last_value, id_col < last_id), sort.is_(None))
    return or_(sort > last_value, and_(sort == last_value, id_col > last_id))


def keyset_order(sort: Any, id_col: Column, descending: bool) -> list[Any]:
    """(sort, id) order with null sort values first ascending and last descending, on SQLite and PostgreSQL
    alike (their defaults differ)."""
    if sort is id_col:
        return [id_col.desc() if descending else id_col.asc()]
    if descending:
        return [sort.desc().nulls_last(), id_col.desc()]
    return [sort.asc().nulls_first(), id_col.asc()]


def _coerce(sort: Column, raw: Any) -> Any:
    """The cursor's sort value as the column compares it (``encode_cursor`` wrote dates as ISO text)."""
    try:
        python_type = sort.type.python_type
    except NotImplementedError:
        return raw
    if python_type is datetime:
        try:
            return datetime.fromisoformat(raw)
        except (TypeError, ValueError) as exc:
            raise BadCursor(str(raw)) from exc
    if python_type is int and not _is_id(raw):
        raise BadCursor(str(raw))
    if python_type is str and not isinstance(raw, str):
        raise BadCursor(str(raw))
    return raw


def paginate(
    conn: Connection,
    stmt: Select,
    *,
    sort: Column,
    id_col: Column,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    reverse: bool = False,
    descending_by_default: bool = False,
) -> Page:
    """One page of ``stmt`` in (sort, id) order; ``last``/``before`` walk backwards and return in order."""
    descending = descending_by_default != reverse
    backwards = last is not None and first is None
    walk_desc = descending != backwards
    if after:
        stmt = stmt.where(_beyond(sort, id_col, after, descending))
    if before:
        stmt = stmt.where(_beyond(sort, id_col, before, not descending))
    order = keyset_order(sort, id_col, walk_desc)
    limit = last if backwards else first
    assert limit is not None
    rows = list(conn.execute(stmt.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    id_key, sort_key = id_col.key, sort.key
    cursors = [
        encode_cursor(getattr(r, id_key), None if sort is id_col else getattr(r, sort_key)) for r in rows
    ]
    if backwards:
        return Page(rows, bool(before), more, cursors)
    return Page(rows, more, bool(after), cursors)
