"""Derived handles: Shopify's numbering (``title``, ``title-1``, ``title-2``…, the first free one), found
through the (shop, handle) unique index on every path, so a shop's size does not slow a title-only import."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, event

from bulkops.db.database import Database
from bulkops.db.tables import products
from bulkops.domain.common import HANDLE_PROBE_WINDOWS
from bulkops.domain.products import rules
from bulkops.domain.products.batch import ProductCreateBatch, create_many, prepare_product
from bulkops.domain.shops.rules import create_shop
from bulkops.domain.shops.secrets import SecretBox
from bulkops.graphql.bindings.products import new_product

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BOX = SecretBox("handles")
FILLER = 30_000
PG_ADMIN_URL = os.environ.get("BULKOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def titled(title: str, handle: str | None = None) -> rules.NewProduct:
    return new_product({"title": title, **({"handle": handle} if handle else {})}, [])


def handles_of(conn: Connection, shop_id: int) -> list[str]:
    return list(conn.execute(products.select().with_only_columns(products.c.handle)
                             .where(products.c.shop_id == shop_id).order_by(products.c.id)).scalars())


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for the module: each test makes its own shop."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('handles') / 'handles.db'}")
    db.migrate()
    yield db
    db.dispose()


def test_many_products_of_one_title_are_numbered_in_order_on_both_paths(sqlite_db: Database) -> None:
    many = 2 * HANDLE_PROBE_WINDOWS[-1] + 37  # past several lookup windows
    with sqlite_db.write() as conn:
        shop = create_shop(conn, "same-titles", NOW, BOX)
        batched = create_many(conn, shop.id, [titled("Snow Board") for _ in range(many)], NOW)
        one_more = rules.create_product(conn, shop.id, titled("Snow Board"), NOW)
        second_batch = create_many(conn, shop.id, [titled("Snow Board") for _ in range(3)], NOW)

        assert all(isinstance(created, int) for created in [*batched, one_more, *second_batch])
        assert handles_of(conn, shop.id) == ["snow-board", *(f"snow-board-{n}" for n in range(1, many + 4))]


def test_the_first_free_number_is_taken_again_gaps_first(sqlite_db: Database) -> None:
    with sqlite_db.write() as conn:
        shop = create_shop(conn, "gaps", NOW, BOX)
        for handle in ("coat", "coat-1", "coat-3", "coat-5", "coat-x", "coat-1-1"):
            rules.create_product(conn, shop.id, titled("Coat", handle), NOW)
        create_many(conn, shop.id, [titled("Coat"), titled("Coat"), titled("Coat", "coat-6"), titled("Coat")], NOW)
        rules.create_product(conn, shop.id, titled("Coat"), NOW)

        assert handles_of(conn, shop.id)[6:] == ["coat-2", "coat-4", "coat-6", "coat-7", "coat-8"]


def test_other_shops_handles_do_not_count(sqlite_db: Database) -> None:
    with sqlite_db.write() as conn:
        first, second = create_shop(conn, "first", NOW, BOX), create_shop(conn, "second", NOW, BOX)
        create_many(conn, first.id, [titled("Hat") for _ in range(3)], NOW)
        create_many(conn, second.id, [titled("Hat") for _ in range(2)], NOW)

        assert handles_of(conn, second.id) == ["hat", "hat-1"]


def test_the_sqlite_handle_lookups_search_the_unique_index_on_both_paths(sqlite_db: Database) -> None:
    with sqlite_db.write() as conn:
        shop = create_shop(conn, "plans", NOW, BOX)
        with traced_sqlite(conn) as statements:
            create_many(conn, shop.id, [titled("Mug") for _ in range(30)], NOW)
            rules.create_product(conn, shop.id, titled("Mug"), NOW)
        lookups = [sql for sql in statements if "handle IN" in sql]

        assert len(lookups) >= 2
        for sql in lookups:
            plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "INDEX" in plan and "handle=?" in plan, plan


@contextmanager
def traced_sqlite(conn: Connection) -> Iterator[list[str]]:
    """Every statement this connection's driver runs meanwhile (with its values filled in), whether it came
    through SQLAlchemy or straight from the driver's cursor."""
    seen: list[str] = []
    driver = conn.connection.driver_connection
    driver.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        driver.set_trace_callback(None)


@pytest.fixture()
def postgres_db() -> Iterator[Database]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    name = f"bulkops_handles_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    db = Database(PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}")
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_the_postgresql_handle_lookup_uses_the_unique_index_and_numbers_as_sqlite_does(
        postgres_db: Database) -> None:
    with postgres_db.write() as conn:
        shop = create_shop(conn, "pg-plans", NOW, BOX)
        conn.exec_driver_sql(  # a shop of some size: a scan of it would cost more than the lookups
            "INSERT INTO products (shop_id, title, handle, description_html, vendor, product_type, status, tags, "
            "gift_card, requires_selling_plan, created_at, updated_at) SELECT %(shop)s, 'Filler', 'filler-' || n, "
            "'', '', '', 'ACTIVE', '[]', false, false, now(), now() FROM generate_series(1, %(many)s) AS n",
            {"shop": shop.id, "many": FILLER})
        conn.exec_driver_sql("ANALYZE products")
        lookups: list[tuple[str, Any]] = []

        def keep_lookup(*args: Any) -> None:
            if "handle IN" in args[2]:
                lookups.append((args[2], args[3]))

        event.listen(conn, "before_cursor_execute", keep_lookup)
        created = [rules.create_product(conn, shop.id, titled("Mug"), NOW) for _ in range(12)]
        event.remove(conn, "before_cursor_execute", keep_lookup)

        assert handles_of(conn, shop.id)[FILLER:] == ["mug", *(f"mug-{n}" for n in range(1, 12))]
        assert len(created) == 12 and lookups
        for sql, params in lookups:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql, params))
            assert "Index" in plan and "uq_products_shop_handle" in plan and "Seq Scan" not in plan, plan


def create_chunk(conn: Connection, shop_id: int, hints: dict[str, int], titles: list[str]) -> list[str]:
    """One import chunk through the batch writer, with the import's shared numbering hints."""
    batch = ProductCreateBatch(conn, shop_id, hints)
    prepared = [prepare_product(titled(title)) for title in titles]
    return batch.run(prepared, NOW, lambda pending: pending.handle, lambda _index: "ordinary")


def test_an_imports_chunks_resume_a_titles_numbering_without_walking_it_again(sqlite_db: Database) -> None:
    hints: dict[str, int] = {}
    with sqlite_db.write() as conn:
        shop = create_shop(conn, "chunks", NOW, BOX)
        first = create_chunk(conn, shop.id, hints, ["Cap"] * 600)
    with sqlite_db.write() as conn:
        with traced_sqlite(conn) as statements:
            second = create_chunk(conn, shop.id, hints, ["Cap"] * 3)
        lookups = [sql for sql in statements if "handle IN" in sql]

    assert first == ["cap", *(f"cap-{n}" for n in range(1, 600))]
    assert second == ["cap-600", "cap-601", "cap-602"]
    assert len(lookups) == 1 + 3  # the hint confirmed, then one exact handle per line (not 600 again)


def test_a_rolled_back_chunk_leaves_no_gap_in_the_numbering(sqlite_db: Database) -> None:
    hints: dict[str, int] = {}
    with sqlite_db.write() as conn:
        shop = create_shop(conn, "rolled-back", NOW, BOX)
        create_chunk(conn, shop.id, hints, ["Cap"] * 3)
    with pytest.raises(RuntimeError), sqlite_db.write() as conn:
        create_chunk(conn, shop.id, hints, ["Cap"] * 5)
        raise RuntimeError("the chunk's transaction fails")
    with sqlite_db.write() as conn:
        again = create_chunk(conn, shop.id, hints, ["Cap"] * 2)

    assert again == ["cap-3", "cap-4"]
