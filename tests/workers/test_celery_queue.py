"""Scale-out: ``bulkops serve`` on PostgreSQL only submits; ``bulkops worker`` processes (Celery on Redis) run the
operations. A worker killed mid-import loses nothing: another claims the operation once its heartbeat is stale
and resumes at the first chunk without a record, so every line runs exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.client import BulkClient
from bulkops.testing import ControlPlane
from tests.scaleout import REDIS_URL, fresh_database, fresh_queue_name, sqlalchemy_url
from tests.server import ServerProcess
from tests.webhooks.flow import finish_an_import, subscribe
from tests.webhooks.receiver import receiving
from tests.workers.worker_process import WorkerProcess

psycopg = pytest.importorskip("psycopg")
pytest.importorskip("redis")
pytest.importorskip("celery")

HEARTBEAT_STALE_S = "2"
"""A killed worker's operation is taken over 2 s after its last chunk commit (60 s in production)."""
HAIR_TRIGGER_STALE_S = "0.005"
CHUNK_LINES = "25"
CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id title } userErrors { field message } } }")


def products_jsonl(count: int, prefix: str) -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"{prefix} {i}", "vendor": "Bulk"}}) + b"\n"
                    for i in range(count))


@dataclass
class Deployment:
    """One server and its workers sharing a PostgreSQL database, a Redis queue and a data dir."""

    server: ServerProcess
    database_url: str
    env: dict[str, str]
    workers: list[WorkerProcess]

    def ensure_workers(self, count: int, **env: str) -> list[WorkerProcess]:
        """``count`` live worker processes with these settings (replacing any a test killed or that run with
        other settings), booted side by side."""
        wanted = {**self.env, **env}
        for worker in self.workers:
            if worker.env != wanted:
                worker.stop()
        self.workers = [w for w in self.workers if w.alive]
        fresh = [WorkerProcess(self.server.data_dir, wanted, concurrency=1).launch()
                 for _ in range(count - len(self.workers))]
        self.workers += fresh
        for worker in fresh:
            worker.wait_ready()
        return self.workers

    def sql(self, query: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()

    def holder(self, operation_gid: str) -> str | None:
        """The worker id the operation is claimed under (it names the worker process's pid)."""
        return self.sql("select worker from bulk_operations where id = %s", int(operation_gid.split("/")[-1]))[0][0]

    def titles(self, shop_id: int) -> list[str]:
        return [r[0] for r in self.sql("select title from products where shop_id = %s", shop_id)]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with fresh_queue_name("bulkops_celery") as name, fresh_database(name) as database_url:
        env = {
            "BULKOPS_DATABASE_URL": sqlalchemy_url(database_url),
            "BULKOPS_QUEUE_URL": REDIS_URL,
            "BULKOPS_QUEUE_NAME": name,
            "BULKOPS_HEARTBEAT_STALE": HEARTBEAT_STALE_S,
            "BULKOPS_CHUNK_LINES": CHUNK_LINES,
        }
        server = ServerProcess(Path(tmp_path_factory.mktemp("scaleout")), env=env)
        deployment = Deployment(server, database_url, env, [])
        try:
            server.start()
            yield deployment
        finally:
            for worker in deployment.workers:
                worker.stop()
            server.stop()


@pytest.fixture
def two_workers(deployment: Deployment) -> list[WorkerProcess]:
    return deployment.ensure_workers(2)


@pytest.fixture
def two_hasty_workers(deployment: Deployment) -> list[WorkerProcess]:
    """Workers that take over any operation whose heartbeat is 5 ms old (batched chunks of 25 lines commit within
    milliseconds): a live worker between two chunk commits looks dead to them, so they keep taking the operation
    from each other while it runs. They send no chunk helpers: a helper would keep the other worker's one thread
    busy, leaving no idle worker to take over."""
    return deployment.ensure_workers(2, BULKOPS_HEARTBEAT_STALE=HAIR_TRIGGER_STALE_S, BULKOPS_CHUNK_HELPERS="0")


def wait_for_progress(client: BulkClient, operation_id: str, at_least: int) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.operation(operation_id)
        if int(state["objectCount"]) >= at_least or state["status"] not in ("CREATED", "RUNNING"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"no progress on {operation_id}")


def test_an_import_submitted_to_the_server_runs_in_a_worker_process_with_one_result_line_per_input_line(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 500
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Queued")))["bulkOperation"]["id"]
    running = wait_for_progress(client, operation, at_least=1)
    holder = deployment.holder(operation) or ""

    done = client.wait(operation, timeout=240)
    results = client.results(done["url"])

    assert running["status"] == "RUNNING"
    assert any(f"-{w.pid}-" in holder for w in two_workers), f"{holder!r} is not one of the worker processes"
    assert done["status"] == "COMPLETED" and done["objectCount"] == str(total)
    assert [line["__lineNumber"] for line in results] == list(range(total))
    assert sorted(deployment.titles(shop.id)) == sorted(f"Queued {i}" for i in range(total))


def test_the_finish_webhook_is_posted_once_although_the_server_and_every_worker_send_webhooks(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    with receiving() as receiver:
        subscribe(client, receiver.url)
        op = finish_an_import(client)
        [request] = receiver.wait_for(1)
        deadline = time.monotonic() + 30
        while deployment.sql("select status from webhook_deliveries where shop_id = %s", shop.id) != [("delivered",)]:
            assert time.monotonic() < deadline, "the delivery was never recorded as delivered"
            time.sleep(0.05)
        received = len(receiver.received)

    assert orjson.loads(request.body)["admin_graphql_api_id"] == op["id"]
    assert received == 1
    assert deployment.sql("select attempts from webhook_deliveries where shop_id = %s", shop.id) == [(1,)]


def test_a_worker_killed_mid_import_is_replaced_by_another_without_losing_or_repeating_a_line(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 1_000
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Board")))["bulkOperation"]["id"]
    before = wait_for_progress(client, operation, at_least=100)
    holder = deployment.holder(operation)
    running_it = [w for w in two_workers if f"-{w.pid}-" in (holder or "")]
    running_it[0].kill()

    done = client.wait(operation, timeout=120)
    results = client.results(done["url"])

    assert before["status"] == "RUNNING" and int(before["objectCount"]) < total
    assert len(running_it) == 1, f"{holder} is not one of the worker processes"
    assert done["status"] == "COMPLETED" and done["objectCount"] == str(total)
    assert sorted(line["__lineNumber"] for line in results) == list(range(total))
    assert len({line["data"]["productCreate"]["product"]["id"] for line in results}) == total
    assert sorted(deployment.titles(shop.id)) == sorted(f"Board {i}" for i in range(total))


def test_a_cancel_sent_to_the_server_stops_the_import_running_in_a_worker(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 20_000
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Stop")))["bulkOperation"]["id"]
    wait_for_progress(client, operation, at_least=25)

    canceling = client.cancel(operation)
    done = client.wait(operation, timeout=240)

    assert canceling["userErrors"] == []
    assert done["status"] == "CANCELED" and done["completedAt"] is None
    kept = int(done["objectCount"])
    assert 0 < kept < total
    assert [line["__lineNumber"] for line in client.results(done["url"])] == list(range(kept))
    assert len(deployment.titles(shop.id)) == kept


def test_readyz_fails_within_10_seconds_of_the_last_worker_dying_while_an_operation_waits(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    ready_url = f"{deployment.server.base_url}/readyz"
    before = httpx.get(ready_url, timeout=10)
    for worker in two_workers:
        worker.kill()
    killed_at = time.monotonic()
    client = deployment.server.client(deployment.server.new_shop())
    client.run_mutation(CREATE, client.stage(products_jsonl(1, "Unserved")))
    while True:
        asked_at = time.monotonic()
        answer = httpx.get(ready_url, timeout=10)
        if answer.status_code != 200 or asked_at - killed_at > 30:
            break
        time.sleep(0.2)

    assert before.status_code == 200 and before.json()["checks"]["workers"]["alive"] == 2
    assert answer.status_code == 503, answer.text
    assert asked_at - killed_at < 10
    assert "waiting in CREATED" in answer.json()["reasons"][0] and "no live worker" in answer.json()["reasons"][0]


def test_workers_taking_an_operation_from_a_live_worker_never_commit_a_chunk_twice(
        deployment: Deployment, two_hasty_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 6_000  # several upkeep rounds of both workers even on an idle machine; the contest ends earlier
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Contested")))["bulkOperation"]["id"]

    wait_for_takeovers(client, operation, two_hasty_workers, CONTESTED_TAKEOVERS)
    stops = takeovers(two_hasty_workers)
    for worker in two_hasty_workers:  # the contest is over: a worker with a sane threshold finishes the import
        worker.kill()
    deployment.ensure_workers(1)
    done = client.wait(operation, timeout=120)
    results = client.results(done["url"])

    assert stops >= 1, "no worker ever lost the operation to the other: the test proved nothing"
    assert done["status"] == "COMPLETED" and done["objectCount"] == str(total)
    assert sorted(line["__lineNumber"] for line in results) == list(range(total))
    assert sorted(deployment.titles(shop.id)) == sorted(f"Contested {i}" for i in range(total))


CONTESTED_TAKEOVERS = 3
"""Live workers losing the operation to each other this many times prove the point (about 450 lines in, here);
past that, a loaded machine would only make the contest (which commits a chunk only between two takeovers)
crawl to its end."""


def takeovers(workers: list[WorkerProcess]) -> int:
    """How many times a live worker found its operation taken by another and stopped (from their logs)."""
    return sum(w.log().count("was taken over by another worker") for w in workers)


def wait_for_takeovers(client: BulkClient, operation_id: str, workers: list[WorkerProcess], count: int,
                       timeout: float = 120) -> dict:
    """Until the workers have taken the operation from each other ``count`` times (or it ended first)."""
    deadline = time.monotonic() + timeout
    while True:
        state = client.operation(operation_id)
        if takeovers(workers) >= count or state["status"] not in ("CREATED", "RUNNING"):
            return state
        assert time.monotonic() < deadline, f"only {takeovers(workers)} takeovers in {timeout} s"
        time.sleep(0.05)


def test_progression_rules_set_on_the_server_hold_and_move_an_import_in_a_worker_process(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    with ControlPlane(deployment.server.base_url) as control:
        control.set_progression({"match": {"shop": shop.domain}, "mode": "manual"})
        try:
            operation = client.run_mutation(CREATE, client.stage(products_jsonl(5, "Held")))["bulkOperation"]["id"]
            held = [client.operation(operation) for _ in range(3)]
            moved = control.advance(operation, lines=3)
            holder = deployment.holder(operation) or ""
            done = control.advance(operation, to="COMPLETED")
        finally:
            control.clear_progression()

    assert {state["objectCount"] for state in held} == {"0"}
    assert (moved.status, moved.object_count) == ("RUNNING", 3)
    assert any(f"-{w.pid}-" in holder for w in two_workers), f"{holder!r} is not one of the worker processes"
    assert (done.status, done.object_count) == ("COMPLETED", 5)


def chunk_workers(deployment: Deployment, operation_gid: str) -> list[str]:
    """The worker id each recorded chunk of the operation names, in chunk order."""
    rows = deployment.sql("select worker from bulk_chunks where operation_id = %s order by chunk_index",
                          int(operation_gid.split("/")[-1]))
    return [row[0] or "" for row in rows]


def pids_in(worker_ids: list[str], workers: list[WorkerProcess]) -> set[int]:
    return {w.pid for w in workers for worker_id in worker_ids if f"-{w.pid}-" in worker_id}


def wait_for_both(deployment: Deployment, operation_gid: str, workers: list[WorkerProcess]) -> list[str]:
    """Until chunks of the operation were committed by both worker processes."""
    deadline = time.monotonic() + 60
    while len(pids_in(found := chunk_workers(deployment, operation_gid), workers)) < 2:
        assert time.monotonic() < deadline, f"one worker did all the chunks: {set(found)}"
        time.sleep(0.05)
    return found


def test_both_workers_commit_chunks_of_one_import_and_the_result_file_has_every_line_once_in_line_order(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 1_500
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Shared")))["bulkOperation"]["id"]

    done = client.wait(operation, timeout=240)
    results = client.results(done["url"])
    workers = chunk_workers(deployment, operation)

    assert done["status"] == "COMPLETED" and done["objectCount"] == str(total)
    assert pids_in(workers, two_workers) == {w.pid for w in two_workers}, set(workers)
    assert len(workers) == total // int(CHUNK_LINES)
    assert [line["__lineNumber"] for line in results] == list(range(total))
    assert [line["data"]["productCreate"]["product"]["title"] for line in results] == [
        f"Shared {i}" for i in range(total)]
    assert sorted(deployment.titles(shop.id)) == sorted(f"Shared {i}" for i in range(total))


def test_a_helping_worker_killed_mid_import_leaves_its_chunk_to_the_other_and_every_line_commits_once(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 2_000
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Helped")))["bulkOperation"]["id"]
    wait_for_both(deployment, operation, two_workers)
    holder = deployment.holder(operation) or ""
    helping = [w for w in two_workers if f"-{w.pid}-" not in holder]
    before = client.operation(operation)
    helping[0].kill()

    done = client.wait(operation, timeout=120)
    results = client.results(done["url"])

    assert len(helping) == 1, f"{holder!r} is not one of the worker processes"
    assert before["status"] == "RUNNING" and int(before["objectCount"]) < total
    assert done["status"] == "COMPLETED" and done["objectCount"] == str(total)
    assert [line["__lineNumber"] for line in results] == list(range(total))
    assert len({line["data"]["productCreate"]["product"]["id"] for line in results}) == total
    assert sorted(deployment.titles(shop.id)) == sorted(f"Helped {i}" for i in range(total))


def test_a_cancel_stops_both_workers_of_one_import_and_keeps_exactly_the_lines_they_committed(
        deployment: Deployment, two_workers: list[WorkerProcess]) -> None:
    shop = deployment.server.new_shop()
    client = deployment.server.client(shop)
    total = 20_000
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(total, "Halt")))["bulkOperation"]["id"]
    wait_for_both(deployment, operation, two_workers)

    client.cancel(operation)
    done = client.wait(operation, timeout=120)
    chunks_then = len(chunk_workers(deployment, operation))
    time.sleep(0.3)
    kept = int(done["objectCount"])
    lines = sorted(line["__lineNumber"] for line in client.results(done["url"]))

    assert done["status"] == "CANCELED"
    assert 0 < kept < total
    assert len(chunk_workers(deployment, operation)) == chunks_then == kept // int(CHUNK_LINES)
    assert lines == sorted(set(lines)) and len(lines) == kept
    assert len(deployment.titles(shop.id)) == kept
