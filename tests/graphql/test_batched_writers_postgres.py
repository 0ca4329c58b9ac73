"""The batched writers run on PostgreSQL too: the same lines, batched on a fresh PostgreSQL database and one by
one on SQLite, answer the same result bytes (ids from PostgreSQL's sequences, in line order) and the batch
really wrote them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.graphql.test_collection_add_products_paths import ADD_EVERY_FIELD, ADDED_TWICE
from tests.graphql.test_collection_add_products_paths import seeded as seeded_collections
from tests.graphql.test_compiled_plan import Side
from tests.graphql.test_customer_update_paths import SWAPS_AND_EMOJI, UPDATE_EVERY_WRITTEN_FIELD
from tests.graphql.test_customer_update_paths import seeded as seeded_customers
from tests.graphql.test_metafields_set_paths import COMMAS_QUOTES_AND_EMOJI as METAFIELD_LINES
from tests.graphql.test_metafields_set_paths import SET_EVERY_FIELD, seeded
from tests.graphql.written_runs import count_written_lines
from tests.scaleout import fresh_database, sqlalchemy_url


@pytest.fixture()
def sqlite_and_postgres(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    with fresh_database("bulkops_writers") as url:
        one_by_one = seeded(tmp_path / "sqlite", compiled=False)
        batched = seeded(tmp_path / "pg", compiled=True, database_url=sqlalchemy_url(url))
        try:
            yield one_by_one, batched
        finally:
            one_by_one.runtime.db.dispose()
            batched.runtime.db.dispose()


def test_metafieldsSet_lines_batched_on_postgresql_answer_as_one_by_one_on_sqlite(
        sqlite_and_postgres: tuple[Side, Side]) -> None:
    one_by_one, batched = sqlite_and_postgres
    fast = batched.executor(SET_EVERY_FIELD)
    written = count_written_lines(fast)
    lines: list[Any] = [*METAFIELD_LINES, *METAFIELD_LINES]

    assert batched.run(fast, lines) == one_by_one.run(one_by_one.executor(SET_EVERY_FIELD), lines)
    assert written["lines"] == len(lines) - 2  # all but the two lines with a malformed owner id


@pytest.fixture()
def customers_on_sqlite_and_postgres(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    with fresh_database("bulkops_writers") as url:
        one_by_one = seeded_customers(tmp_path / "sqlite", compiled=False)
        batched = seeded_customers(tmp_path / "pg", compiled=True, database_url=sqlalchemy_url(url))
        try:
            yield one_by_one, batched
        finally:
            one_by_one.runtime.db.dispose()
            batched.runtime.db.dispose()


def test_customerUpdate_lines_batched_on_postgresql_answer_as_one_by_one_on_sqlite(
        customers_on_sqlite_and_postgres: tuple[Side, Side]) -> None:
    one_by_one, batched = customers_on_sqlite_and_postgres
    fast = batched.executor(UPDATE_EVERY_WRITTEN_FIELD)
    written = count_written_lines(fast)
    lines: list[Any] = [*SWAPS_AND_EMOJI, *SWAPS_AND_EMOJI]

    assert batched.run(fast, lines) == one_by_one.run(one_by_one.executor(UPDATE_EVERY_WRITTEN_FIELD), lines)
    assert written["lines"] == len(lines) - 4  # not the malformed ids, nor tags as one string (graphql-core coerces)


@pytest.fixture()
def collections_on_sqlite_and_postgres(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    with fresh_database("bulkops_writers") as url:
        one_by_one = seeded_collections(tmp_path / "sqlite", compiled=False)
        batched = seeded_collections(tmp_path / "pg", compiled=True, database_url=sqlalchemy_url(url))
        try:
            yield one_by_one, batched
        finally:
            one_by_one.runtime.db.dispose()
            batched.runtime.db.dispose()


def test_collectionAddProducts_lines_batched_on_postgresql_answer_as_one_by_one_on_sqlite(
        collections_on_sqlite_and_postgres: tuple[Side, Side]) -> None:
    one_by_one, batched = collections_on_sqlite_and_postgres
    fast = batched.executor(ADD_EVERY_FIELD)
    written = count_written_lines(fast)
    lines: list[Any] = [*ADDED_TWICE, *ADDED_TWICE]

    assert batched.run(fast, lines) == one_by_one.run(one_by_one.executor(ADD_EVERY_FIELD), lines)
    assert written["lines"] == len(lines) - 2  # all but the two lines with a malformed id
