"""``/healthz`` says the process is up; ``/readyz`` says it can do its job, and fails (503, with the reason)
soon after the last worker dies while an operation waits for one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bulkops.engine.heartbeats import Heartbeat
from tests.scaleout import REDIS_URL, fresh_queue_name
from tests.server import InProcessServer
from tests.webhooks.flow import start_an_import

pytest.importorskip("redis")


@pytest.fixture
def workerless(tmp_path: Path) -> Iterator[InProcessServer]:
    """A server that runs no operation itself (as ``bulkops serve`` in front of Celery workers)."""
    with InProcessServer(tmp_path, {"workers": 0}) as server:
        yield server


def ready(server: InProcessServer) -> httpx.Response:
    return httpx.get(f"{server.base_url}/readyz", timeout=10)


def worker_beating(server: InProcessServer, name: str = "celery-test-1") -> Heartbeat:
    """A worker process's heartbeat, beaten by the test on the server's clock."""
    assert server.runtime is not None
    heartbeat = Heartbeat(server.runtime.db, server.clock, name, "celery")
    heartbeat.beat()
    return heartbeat


def test_healthz_is_liveness_only_and_readyz_checks_the_database_storage_and_queue(
        workerless: InProcessServer) -> None:
    health = httpx.get(f"{workerless.base_url}/healthz")
    answer = ready(workerless)

    assert health.status_code == 200 and health.json() == {"ok": True, "helpers": "off"}
    assert answer.status_code == 200
    body = answer.json()
    assert body["ready"] is True and body["reasons"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "storage": True, "queue": True, "workers": True}
    assert body["checks"]["workers"]["alive"] == 0 and body["checks"]["workers"]["waiting"] == 0


def test_readyz_fails_within_10_seconds_of_the_last_worker_dying_while_an_operation_waits(
        workerless: InProcessServer) -> None:
    heartbeat = worker_beating(workerless)
    operation = start_an_import(workerless.client(workerless.new_shop()))
    workerless.advance(4)
    heartbeat.beat()
    busy = ready(workerless)
    workerless.advance(4)
    just_dead = ready(workerless)
    workerless.advance(2)
    dead_for_6_s = ready(workerless)
    heartbeat.beat()
    back = ready(workerless)

    assert operation.startswith("gid://shopify/BulkOperation/")
    assert busy.status_code == 200 and busy.json()["checks"]["workers"]["alive"] == 1
    assert just_dead.status_code == 200
    assert dead_for_6_s.status_code == 503
    body = dead_for_6_s.json()
    assert body["ready"] is False
    assert body["checks"]["workers"] == {"ok": True, "alive": 0, "waiting": 1, "oldest_waiting_s": 10.0,
                                         "last_heartbeat": body["checks"]["workers"]["last_heartbeat"]}
    assert body["reasons"] == [f"1 bulk operation(s) waiting in CREATED for up to 10 s and no live worker "
                               f"(last heartbeat {body['checks']['workers']['last_heartbeat']})"]
    assert back.status_code == 200


def test_an_embedded_server_is_its_own_worker_until_its_workers_stop(tmp_path: Path) -> None:
    with InProcessServer(tmp_path) as server:
        assert server.runtime is not None
        alive = ready(server).json()["checks"]["workers"]["alive"]
        server.runtime.queue.stop()
        start_an_import(server.client(server.new_shop()))
        server.advance(6)
        stopped = ready(server)

    assert alive == 1
    assert stopped.status_code == 503
    assert stopped.json()["reasons"] == [
        "1 bulk operation(s) waiting in CREATED for up to 6 s and no live worker (no worker is registered)"]


def test_readyz_fails_with_the_reason_when_the_queue_stops_answering(tmp_path: Path) -> None:
    """A queue out of reach at start is a configuration error (``bulkops serve`` refuses to start); one that goes
    away later is what ``/readyz`` reports."""
    redis = pytest.importorskip("redis")
    with fresh_queue_name("bulkops_readyz") as name, InProcessServer(
            tmp_path, {"queue_url": REDIS_URL, "queue_name": name}) as server:
        assert server.runtime is not None

        def redis_gone() -> None:
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        server.runtime.queue.ping = redis_gone  # type: ignore[attr-defined]
        answer = ready(server)

    assert answer.status_code == 503
    body = answer.json()
    assert body["checks"]["queue"]["ok"] is False
    assert body["reasons"][0].startswith("queue unreachable: ")
    assert "Connection refused" in body["reasons"][0]
