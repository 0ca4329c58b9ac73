"""``/__bulkops/health``: version, backends, workers with their last heartbeat, queue depths."""

from __future__ import annotations

from pathlib import Path

from bulkops import __version__
from bulkops.clock import iso_z
from tests.server import InProcessServer


def test_health_shows_the_version_backends_workers_and_queue_depths(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, {"workers": 0}) as server, server.control() as control:
        client = server.client(server.new_shop())
        client.run_query("{ products { edges { node { id } } } }")
        server.advance(1)

        health = control.health()

    assert health["version"] == __version__ and health["now"] == iso_z(server.clock.now())
    assert health["backends"]["database"]["kind"] == "sqlite" and health["backends"]["storage"] == {"kind": "local"}
    assert health["backends"]["queue"] == {"kind": "in-process", "workers": 0}
    assert health["queues"] == {"operations": {"CREATED": 1, "RUNNING": 0, "CANCELING": 0}, "webhookDeliveries": 0}
    assert health["workers"] == []


def test_health_lists_each_worker_with_its_last_heartbeat(tmp_path: Path) -> None:
    with InProcessServer(tmp_path) as server, server.control() as control:
        assert server.runtime is not None
        server.runtime.queue.heartbeat.beat()  # type: ignore[attr-defined]
        beaten = iso_z(server.clock.now())
        server.advance(60)

        workers = control.health()["workers"]

    assert len(workers) == 1 and workers[0]["kind"] == "inprocess"
    assert workers[0]["lastHeartbeat"] == beaten and workers[0]["alive"] is False
