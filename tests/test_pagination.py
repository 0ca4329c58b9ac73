"""Cursor pagination walks every row exactly once, in order, whatever the sort column holds (nulls too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, delete, insert, select

from bulkops.db.database import Database
from bulkops.db.pagination import paginate

metadata = MetaData()
rows_table = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("at", DateTime, nullable=True))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = Database(f"sqlite:///{Path(tmp_path_factory.mktemp('pages')) / 'pages.db'}")
    metadata.create_all(database.engine)
    return database


def walk(db: Database, page_size: int, reverse: bool, backwards: bool) -> list[int]:
    seen: list[int] = []
    cursor = None
    with db.read() as conn:
        while True:
            page = paginate(conn, select(rows_table), sort=rows_table.c.at, id_col=rows_table.c.id,
                            first=None if backwards else page_size, last=page_size if backwards else None,
                            after=None if backwards else cursor, before=cursor if backwards else None,
                            reverse=reverse)
            ids = [r.id for r in page.rows]
            seen = ids + seen if backwards else seen + ids
            more = page.has_previous_page if backwards else page.has_next_page
            if not more:
                return seen
            cursor = page.start_cursor if backwards else page.end_cursor


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=25), page_size=st.integers(1, 6),
       reverse=st.booleans(), backwards=st.booleans())
def test_pages_cover_every_row_once_in_sort_order(db: Database, values: list[int | None], page_size: int,
                                                  reverse: bool, backwards: bool) -> None:
    from datetime import datetime, timedelta

    with db.write() as conn:
        conn.execute(delete(rows_table))
        if values:
            conn.execute(insert(rows_table), [
                {"id": i + 1, "at": None if v is None else datetime(2026, 1, 1) + timedelta(days=v)}
                for i, v in enumerate(values)])

    expected = sorted(range(1, len(values) + 1),
                      key=lambda i: (values[i - 1] is not None, values[i - 1] or 0, i))
    if reverse:
        expected.reverse()

    assert walk(db, page_size, reverse, backwards) == expected
