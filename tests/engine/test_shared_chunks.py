"""One import across many workers, on PostgreSQL (engine/shared_chunks.py): chunks are claimed one by one, each
commits once with its writes, and the worker holding the operation composes them in line order, running any
chunk whose claimer died before recording it. The Celery side (real worker processes) is in
tests/workers/test_celery_queue.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bulkops.engine.engine import BulkEngine
from bulkops.engine.importer import LINE_ATTEMPTS, execute_line
from tests.scaleout import fresh_database, sqlalchemy_url
from tests.server import InProcessServer

CHUNK_LINES = 10
CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id title } userErrors { field message } } }")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with fresh_database("bulkops_shared") as url:
        yield url


@pytest.fixture(scope="module")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    settings = {"database_url": sqlalchemy_url(pg_url), "chunk_lines": CHUNK_LINES, "workers": 1}
    with InProcessServer(Path(tmp_path_factory.mktemp("shared")), settings) as running:  # type: ignore[arg-type]
        yield running


@pytest.fixture
def engine(server: InProcessServer) -> Iterator[BulkEngine]:
    assert server.runtime is not None
    engine = server.runtime.engine
    yield engine
    engine.ask_for_helpers = None


def products(count: int, prefix: str) -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"{prefix} {i}"}}) + b"\n" for i in range(count))


def chunk_workers(pg_url: str, operation_gid: str) -> list[str]:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("select worker from bulk_chunks where operation_id = %s order by chunk_index",
                            (int(operation_gid.split("/")[-1]),)).fetchall()
    return [row[0] for row in rows]


def recorded_chunks(conn: psycopg.Connection, operation_id: int) -> int:
    found = conn.execute("select count(*) from bulk_chunks where operation_id = %s", (operation_id,)).fetchone()
    assert found is not None
    return int(found[0])


def titles_in_results(results: list[dict]) -> list[str]:
    return [line["data"]["productCreate"]["product"]["title"] for line in results]


def test_a_helper_asked_for_by_the_owner_commits_the_chunks_and_the_owner_composes_them_in_line_order(
        server: InProcessServer, engine: BulkEngine, pg_url: str) -> None:
    asked: list[int] = []

    def helper_does_it_all(operation_id: int, count: int) -> None:
        asked.append(count)
        engine.help(operation_id, "helper-a")

    engine.ask_for_helpers = helper_does_it_all
    client = server.client(server.new_shop())
    done = client.wait(client.run_mutation(CREATE, client.stage(products(95, "Helped")))["bulkOperation"]["id"])
    results = client.results(done["url"])

    assert done["status"] == "COMPLETED" and done["objectCount"] == "95"
    assert asked == [3]
    assert chunk_workers(pg_url, done["id"]) == ["helper-a"] * 10
    assert [line["__lineNumber"] for line in results] == list(range(95))
    assert titles_in_results(results) == [f"Helped {i}" for i in range(95)]


def test_a_chunk_claimed_by_a_worker_that_dies_before_recording_it_is_run_by_the_owner_once(
        server: InProcessServer, engine: BulkEngine, pg_url: str) -> None:
    claimed, others_recorded = threading.Event(), threading.Event()

    def dying_helper(operation_id: int, count: int) -> None:
        """Claims chunk 1 on a connection of its own, holds it until every other chunk is recorded, then its
        connection closes without a commit (as when its process is killed)."""
        def hold_then_die() -> None:
            with psycopg.connect(pg_url) as conn:
                conn.execute("select pg_advisory_xact_lock(%s, 1)", (operation_id,))
                claimed.set()
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    if recorded_chunks(conn, operation_id) == 4:
                        others_recorded.set()
                        break
                    time.sleep(0.02)
                conn.close()

        threading.Thread(target=hold_then_die, daemon=True).start()
        claimed.wait(10)

    engine.ask_for_helpers = dying_helper
    client = server.client(server.new_shop())
    done = client.wait(client.run_mutation(CREATE, client.stage(products(50, "Orphan")))["bulkOperation"]["id"])
    results = client.results(done["url"])
    workers = chunk_workers(pg_url, done["id"])

    assert others_recorded.is_set(), "the owner waited on the claimed chunk instead of going past it"
    assert done["status"] == "COMPLETED" and done["objectCount"] == "50"
    assert len(workers) == 5 and len(set(workers)) == 1 and workers[0].startswith("inprocess-")
    assert titles_in_results(results) == [f"Orphan {i}" for i in range(50)]
    with psycopg.connect(pg_url) as conn:
        stored = conn.execute("select title from products where title like 'Orphan %%'").fetchall()
    assert sorted(row[0] for row in stored) == sorted(f"Orphan {i}" for i in range(50))


def test_without_a_queue_to_ask_for_helpers_an_import_on_postgresql_keeps_one_worker_in_line_order(
        server: InProcessServer, engine: BulkEngine, pg_url: str) -> None:
    client = server.client(server.new_shop())
    done = client.wait(client.run_mutation(CREATE, client.stage(products(25, "Alone")))["bulkOperation"]["id"])

    workers = chunk_workers(pg_url, done["id"])
    assert done["status"] == "COMPLETED"
    assert len(workers) == 3 and len(set(workers)) == 1
    assert titles_in_results(client.results(done["url"])) == [f"Alone {i}" for i in range(25)]


def test_lines_deriving_one_handle_in_chunks_run_side_by_side_each_get_a_unique_handle_without_errors(
        server: InProcessServer, engine: BulkEngine, pg_url: str) -> None:
    helpers: list[threading.Thread] = []

    def helper_beside(operation_id: int, count: int) -> None:
        helpers.append(threading.Thread(target=engine.help, args=(operation_id, "helper-b"), daemon=True))
        helpers[-1].start()

    engine.ask_for_helpers = helper_beside
    client = server.client(server.new_shop())
    same = b"".join(orjson.dumps({"product": {"title": "Same Title"}}) + b"\n" for _ in range(200))
    done = client.wait(client.run_mutation(CREATE.replace("id title", "id handle"), client.stage(same))
                       ["bulkOperation"]["id"])
    results = client.results(done["url"])
    for helper in helpers:
        helper.join(10)
    handles = [line["data"]["productCreate"]["product"]["handle"] for line in results]

    assert done["status"] == "COMPLETED" and done["objectCount"] == "200"
    assert "helper-b" in chunk_workers(pg_url, done["id"]), "the helper took no chunk: the test proved nothing"
    assert sorted(handles) == sorted(["same-title"] + [f"same-title-{n}" for n in range(1, 200)])


class Deadlocked(Exception):
    sqlstate = "40P01"


class RefusedFirst:
    """An executor whose first ``refusals`` runs meet another writer: the unique index (another worker committed
    the handle), then a deadlock PostgreSQL broke by failing this statement."""

    def __init__(self, refusals: int) -> None:
        self.refusals, self.runs = refusals, 0

    def run_one(self, conn: Connection, variables: dict) -> dict:
        self.runs += 1
        if self.runs <= self.refusals:
            if self.runs % 2:
                raise IntegrityError("INSERT INTO products ...", {}, Exception("duplicate key uq_products_shop_handle"))
            raise OperationalError("INSERT INTO products ...", {}, Deadlocked("deadlock detected"))
        return {"data": {"productCreate": {"product": {"handle": "same-title-1"}, "userErrors": []}}}


@pytest.mark.parametrize("refusals", [1, 2])
def test_a_line_another_writer_got_in_the_way_of_runs_again_and_answers_once(pg_url: str, refusals: int) -> None:
    executor = RefusedFirst(refusals)
    with create_engine(sqlalchemy_url(pg_url)).begin() as conn:
        response = execute_line(conn, executor, b'{"product": {"title": "Same Title"}}')  # type: ignore[arg-type]

    assert response["data"]["productCreate"]["product"]["handle"] == "same-title-1"
    assert executor.runs == refusals + 1


def test_a_line_refused_by_the_unique_index_every_time_answers_with_an_internal_error(pg_url: str) -> None:
    executor = RefusedFirst(LINE_ATTEMPTS)
    with create_engine(sqlalchemy_url(pg_url)).begin() as conn:
        response = execute_line(conn, executor, b'{"product": {"title": "Same Title"}}')  # type: ignore[arg-type]

    assert response["errors"][0]["message"] == "Internal error while running this line."
    assert executor.runs == LINE_ATTEMPTS
