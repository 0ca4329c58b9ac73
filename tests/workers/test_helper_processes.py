"""Helper processes check a big import's lines ahead of the writer: they run elsewhere, a dead one is
replaced without losing or repeating a line, and they end with the server."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.engine.importer import look_ahead_batches, read_batches
from bulkops.workers.helpers import HelperDied, HelperProcesses
from tests.server import ServerProcess
from tests.workers.helper_calls import unreadable_answer

CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id handle } userErrors { field message } } }")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float = 120.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_work_runs_in_another_process_and_stops_with_the_helpers() -> None:
    helpers = HelperProcesses(1)
    assert not helpers.ready and helpers.pids() == []
    helpers.start()
    [pid] = wait_for(helpers.pids)

    assert helpers.submit(os.getpid).result(timeout=30) == pid != os.getpid()
    assert helpers.ready
    helpers.stop()
    assert not alive(pid)
    with pytest.raises(RuntimeError):
        helpers.submit(os.getpid)


def test_a_helper_that_died_is_replaced_on_the_next_call() -> None:
    helpers = HelperProcesses(1)
    try:
        first = helpers.submit(os.getpid).result(timeout=30)
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: first not in helpers.pids())
        second = helpers.submit(os.getpid).result(timeout=30)
        assert second != first
    finally:
        helpers.stop()


def test_an_answer_that_cannot_be_read_ends_the_helper_and_fails_its_calls_at_once() -> None:
    helpers = HelperProcesses(1)
    try:
        first = helpers.submit(os.getpid).result(timeout=30)
        bad = helpers.submit(unreadable_answer)
        queued = helpers.submit(os.getpid)
        with pytest.raises(HelperDied, match="unreadable answer"):
            bad.result(timeout=30)
        with pytest.raises(HelperDied):
            queued.result(timeout=30)  # before the fix: no answer ever came, so callers waited out their patience
        assert not helpers.ready
        wait_for(lambda: not alive(first))
        assert helpers.submit(os.getpid).result(timeout=30) != first, "the next call starts another helper"
    finally:
        helpers.stop()


def test_a_helper_killed_mid_import_loses_and_repeats_no_line(tmp_path: Path) -> None:
    lines = 4000
    body = b"".join(orjson.dumps({"product": {"title": f"Helped {i}", "tags": ["a", "b"], "metafields": [
        {"namespace": "custom", "key": "number", "type": "number_integer", "value": str(i)}]}}) + b"\n"
        for i in range(lines))
    env = {"BULKOPS_HELPER_PROCESSES": "1", "BULKOPS_HELPER_MIN_INPUT_BYTES": "0", "BULKOPS_CHUNK_LINES": "40"}
    with ServerProcess(tmp_path / "server", env=env) as server:
        [helper] = wait_for(server.helper_pids)
        wait_for(lambda: httpx.get(f"{server.base_url}/healthz").json() == {"ok": True, "helpers": "ready"})
        shop = server.new_shop()
        client = server.client(shop)
        operation = client.run_mutation(CREATE, client.stage(body))["bulkOperation"]["id"]
        wait_for(lambda: int(client.operation(operation)["objectCount"]) >= 200)
        os.kill(helper, signal.SIGKILL)
        done = client.wait(operation, timeout=120)
        replacement = wait_for(server.helper_pids)
        results = client.results(done["url"])
        client.close()

        assert done["status"] == "COMPLETED" and done["objectCount"] == str(lines)
        assert int(done["objectCount"]) > 200 * 2, "the kill should land mid-import"
        assert replacement != [helper]
        assert [r["__lineNumber"] for r in results] == list(range(lines))
        assert all(r["data"]["productCreate"]["userErrors"] == [] for r in results)
        with sqlite3.connect(server.data_dir / "bulkops.db") as db:
            titles = [t for (t,) in db.execute("SELECT title FROM products WHERE shop_id = ? ORDER BY id", (shop.id,))]
            values = [int(v) for (v,) in db.execute(
                "SELECT value FROM metafields WHERE shop_id = ? ORDER BY owner_id", (shop.id,))]
        assert titles == [f"Helped {i}" for i in range(lines)]
        assert values == list(range(lines))
        server_pid = server.pid
    wait_for(lambda: not alive(server_pid) and not alive(replacement[0]))  # helpers end with their server


def test_a_server_starts_two_warm_helpers_by_default_and_none_when_told(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "default", helper_processes=None) as server:
        helpers = wait_for(lambda: len(server.helper_pids()) == 2 and server.helper_pids())
        wait_for(lambda: httpx.get(f"{server.base_url}/healthz").json()["helpers"] == "ready")
    assert server.process is not None and server.process.returncode == 0, "SIGTERM: a graceful stop"
    assert not any(alive(pid) for pid in helpers), "the server stops its helpers before it exits"
    with ServerProcess(tmp_path / "none", env={"BULKOPS_HELPER_PROCESSES": "0"}) as server:
        assert httpx.get(f"{server.base_url}/healthz").json() == {"ok": True, "helpers": "off"}
        assert server.helper_pids() == []


def test_the_engine_announces_one_chunk_ahead_per_helper() -> None:
    announced: list[list[bytes]] = []

    class Executor:
        look_ahead_depth = 2

        def __call__(self, conn: object, variables: dict) -> dict:
            raise AssertionError("not run here")

        def look_ahead(self, lines: list[bytes]) -> None:
            announced.append(lines)

    stream = io.BytesIO(b"".join(b'{"n": %d}\n' % i for i in range(7)))
    seen = []
    for batch in look_ahead_batches(read_batches(stream, 0, 2), Executor()):
        seen.append((batch.first_line, len(announced)))
    assert seen == [(0, 3), (2, 4), (4, 4), (6, 4)], "each batch is announced two batches before it runs"
    assert [len(lines) for lines in announced] == [2, 2, 2, 1]
