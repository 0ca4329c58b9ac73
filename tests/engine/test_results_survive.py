"""No committed line's result is lost (engine twins, frozen clock): a segment deleted mid-run is rebuilt from
its chunk record; a full disk, while writing a chunk or composing, lets the operation wait, RUNNING and saying
why, until the upkeep resumes it; a result that cannot be recovered leaves every other line as partial data;
an operation never waits forever; and what a stopped process left behind is swept at start."""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

import httpx
import pytest

from bulkops.engine import engine as engine_module
from bulkops.engine import operations as ops
from bulkops.engine.composing import keep
from bulkops.engine.lifecycle import ErrorCode, Status
from bulkops.protocol.results import operation_prefix, segment_key
from bulkops.storage.local import LocalFileStore
from bulkops.storage.signing import Signer
from tests.engine.inprocess import CREATE, InProcessBulk, products_jsonl
from tests.server import InProcessServer

LINES = 60  # three chunks of 25, 25 and 10
T = TypeVar("T")
DISK_FULL = OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def bulk(tmp_path: Path) -> Iterator[InProcessBulk]:
    bulk = InProcessBulk(tmp_path, chunk_lines=25, storage_retries=3)
    yield bulk
    bulk.close()


def line_numbers(bulk: InProcessBulk, key: str | None) -> list[int]:
    return [line["__lineNumber"] for line in bulk.lines(key)]


def resume_stale(bulk: InProcessBulk) -> None:
    """What the upkeep does once the operation's heartbeat is stale: submit it again, and a worker runs it."""
    bulk.clock.advance(bulk.settings.heartbeat_stale_s + 1)
    for operation_id in bulk.engine.stale_operations():
        bulk.queue.submit(operation_id)
    bulk.queue.run_pending()


def disk_full_for_segments(bulk: InProcessBulk, from_put: int) -> list[str]:
    """Every segment written from the ``from_put``-th put on fails with ENOSPC; returns the keys refused."""
    refused: list[str] = []
    puts = 0

    def put(key: str) -> None:
        nonlocal puts
        puts += 1
        if puts >= from_put and "/segments/" in key:
            refused.append(key)
            raise DISK_FULL

    bulk.store.before_put = put
    return refused


def test_a_segment_deleted_mid_run_is_rebuilt_and_every_line_is_in_the_result(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(LINES))
    first = segment_key(op.shop_id, op.id, 0)

    def delete_first(key: str) -> None:
        if key == segment_key(op.shop_id, op.id, 2):
            bulk.store.delete(first)

    bulk.store.before_put = delete_first
    bulk.queue.run_pending()

    done = bulk.operation(op)
    assert done.status is Status.COMPLETED and done.error_code is None
    assert line_numbers(bulk, done.result_key) == list(range(LINES))
    assert done.file_size == len(bulk.store.read(done.result_key or ""))
    assert [key for method, key in bulk.store.calls if method == "put"].count(first) == 2, "rebuilt once"
    assert bulk.titles() == [f"Board {i}" for i in range(LINES)]
    with bulk.db.read() as conn:
        assert ops.chunk_data(conn, op.id, 0) is None, "kept bytes are forgotten once the file is composed"


def test_a_segment_lost_with_nothing_kept_fails_with_every_other_line_as_partial_data(
        bulk: InProcessBulk, monkeypatch: pytest.MonkeyPatch) -> None:
    op = bulk.start_import(products_jsonl(LINES))
    recorded = 0

    def keep_all_but_the_first(data: bytes) -> bytes | None:
        """Chunk 0's record keeps nothing, as one written before records kept their bytes."""
        nonlocal recorded
        recorded += 1
        return None if recorded == 1 else keep(data)

    monkeypatch.setattr(engine_module, "keep", keep_all_but_the_first)

    def lose_first(key: str) -> None:
        if key == segment_key(op.shop_id, op.id, 2):
            bulk.store.delete(segment_key(op.shop_id, op.id, 0))

    bulk.store.before_put = lose_first
    bulk.queue.run_pending()

    done = bulk.operation(op)
    assert done.status is Status.FAILED and done.error_code == ErrorCode.INTERNAL_SERVER_ERROR
    assert done.result_key is None
    assert line_numbers(bulk, done.partial_key) == list(range(25, LINES))
    assert len(bulk.titles()) == LINES, "the lines' writes stay committed"


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_a_database_rolled_back_after_the_segments_were_discarded_still_composes_every_line(
        bulk: InProcessBulk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    op = bulk.start_import(products_jsonl(LINES))
    database, before_finish = tmp_path / "bulkops.db", tmp_path / "before-finish.db"
    compose = bulk.store.compose

    def copy_then_compose(key: str, parts: list[str]) -> int:
        copy_database(database, before_finish)  # the last state the database will keep
        return compose(key, parts)

    monkeypatch.setattr(bulk.store, "compose", copy_then_compose)
    bulk.queue.run_pending()
    monkeypatch.setattr(bulk.store, "compose", compose)
    segments = [c.segment_key for c in bulk.chunks(op)]
    assert bulk.operation(op).status is Status.COMPLETED and not any(bulk.store.exists(k) for k in segments)

    bulk.db.dispose()  # the finish is lost (a rolled-back WAL), its segments stay deleted
    copy_database(before_finish, database)
    assert bulk.operation(op).status is Status.RUNNING
    assert bulk.restart() == [op.id]
    bulk.queue.run_pending()

    done = bulk.operation(op)
    assert done.status is Status.COMPLETED
    assert line_numbers(bulk, done.result_key) == list(range(LINES))
    assert bulk.titles() == [f"Board {i}" for i in range(LINES)]


def test_a_full_disk_mid_run_keeps_the_operation_running_until_it_is_freed(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(LINES))
    refused = disk_full_for_segments(bulk, from_put=2)  # chunk 0 commits, chunk 1 meets a full disk

    bulk.queue.run_pending()

    waiting = bulk.operation(op)
    assert waiting.status is Status.RUNNING and waiting.worker is None and waiting.retries == 1
    assert waiting.retry_reason == "OSError: [Errno 28] No space left on device"
    assert [o.id for o in bulk.engine.retrying()] == [op.id]
    assert [c.index for c in bulk.chunks(op)] == [0] and refused == [segment_key(op.shop_id, op.id, 1)]
    assert bulk.engine.stale_operations() == [], "it waits a heartbeat before it is tried again"

    resume_stale(bulk)  # still full
    assert bulk.operation(op).retries == 2 and bulk.operation(op).status is Status.RUNNING

    bulk.store.before_put = None  # freed
    resume_stale(bulk)

    done = bulk.operation(op)
    assert done.status is Status.COMPLETED and done.retries == 0 and done.retry_reason is None
    assert line_numbers(bulk, done.result_key) == list(range(LINES))
    assert bulk.titles() == [f"Board {i}" for i in range(LINES)], "no line lost or run twice"
    assert bulk.engine.retrying() == []


def test_a_full_disk_while_composing_waits_and_composes_without_running_a_line_again(
        bulk: InProcessBulk, monkeypatch: pytest.MonkeyPatch) -> None:
    op = bulk.start_import(products_jsonl(LINES))
    compose = bulk.store.compose

    def full(key: str, parts: object) -> int:
        raise DISK_FULL

    monkeypatch.setattr(bulk.store, "compose", full)
    bulk.queue.run_pending()

    waiting = bulk.operation(op)
    assert waiting.status is Status.RUNNING and waiting.finishing_status == "COMPLETED"
    assert waiting.retry_reason is not None and "No space left on device" in waiting.retry_reason
    assert len(bulk.chunks(op)) == 3

    monkeypatch.setattr(bulk.store, "compose", compose)
    puts = len([c for c in bulk.store.calls if c[0] == "put"])
    resume_stale(bulk)

    done = bulk.operation(op)
    assert done.status is Status.COMPLETED and done.finishing_status is None
    assert line_numbers(bulk, done.result_key) == list(range(LINES))
    assert len([c for c in bulk.store.calls if c[0] == "put"]) == puts, "no chunk ran again"
    assert len(bulk.titles()) == LINES
    assert not any(bulk.store.exists(c.segment_key) for c in bulk.chunks(op))


def test_a_disk_that_stays_full_ends_the_operation_failed_with_the_lines_it_can_still_reach(
        bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(LINES))
    disk_full_for_segments(bulk, from_put=2)

    bulk.queue.run_pending()
    for _ in range(bulk.settings.storage_retries):
        resume_stale(bulk)

    done = bulk.operation(op)
    assert done.status is Status.FAILED and done.error_code == ErrorCode.INTERNAL_SERVER_ERROR
    assert line_numbers(bulk, done.partial_key) == list(range(25))
    assert bulk.engine.stale_operations() == [] and bulk.engine.retrying() == []


def test_a_restart_sweeps_segments_of_finished_operations_and_keeps_those_still_running(
        bulk: InProcessBulk) -> None:
    finished = bulk.start_import(products_jsonl(30))
    bulk.queue.run_pending()
    left = segment_key(finished.shop_id, finished.id, 0)
    bulk.store.put(left, b"left behind\n")  # as a failed delete or a stopped process leaves it
    running = bulk.start_import(products_jsonl(LINES))
    disk_full_for_segments(bulk, from_put=2)
    bulk.queue.run_pending()
    assert bulk.operation(running).status is Status.RUNNING
    kept = segment_key(running.shop_id, running.id, 0)
    bulk.store.before_put = None

    assert bulk.restart() == [running.id]

    assert not bulk.store.exists(left) and bulk.store.exists(kept)
    bulk.queue.run_pending()
    assert line_numbers(bulk, bulk.operation(running).result_key) == list(range(LINES))


def test_the_local_store_finds_and_removes_the_temporary_files_of_unfinished_writes(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path, Signer("local"))
    folder = operation_prefix(1, 7)
    store.put(f"{folder}/segments/00000000.jsonl", b"{}\n")
    store.put(f"{folder}/bulk-7.jsonl", b"{}\n")
    (tmp_path / folder / ".bulk-7.jsonl.k2j3h4").write_bytes(b"half")
    (tmp_path / folder / "segments" / ".00000001.jsonl.x9y8").write_bytes(b"half")

    assert store.keys("bulk-operations/") == [f"{folder}/bulk-7.jsonl", f"{folder}/segments/00000000.jsonl"]
    assert store.remove_temporary("bulk-operations/") == 2
    assert sorted(p.name for p in (tmp_path / folder).rglob("*") if p.is_file()) == ["00000000.jsonl",
                                                                                     "bulk-7.jsonl"]


def test_healthz_says_which_operation_waits_on_a_full_disk_and_it_completes_once_freed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with InProcessServer(tmp_path, {"chunk_lines": 10, "workers": 1}) as server:
        runtime = server.runtime
        assert runtime is not None
        put = runtime.store.put

        def full_for_segments(key: str, data: bytes | BinaryIO) -> int:
            if "/segments/" in key:
                raise OSError(errno.ENOSPC, "No space left on device")
            return put(key, data)

        client = server.client(server.new_shop())
        path = client.stage(products_jsonl(30))
        monkeypatch.setattr(runtime.store, "put", full_for_segments)
        operation = client.run_mutation(CREATE, path)["bulkOperation"]["id"]

        health = wait_for(lambda: httpx.get(f"{server.base_url}/healthz").json().get("retrying"))
        assert health == [{"id": operation, "status": "RUNNING", "retries": 1,
                           "reason": "OSError: [Errno 28] No space left on device"}]
        assert client.operation(operation)["status"] == "RUNNING"

        monkeypatch.setattr(runtime.store, "put", put)
        server.advance(runtime.settings.heartbeat_stale_s + 1)
        done = client.wait(operation, timeout=60)

        assert done["status"] == "COMPLETED"
        assert [line["__lineNumber"] for line in client.results(done["url"])] == list(range(30))
        assert "retrying" not in httpx.get(f"{server.base_url}/healthz").json()
        client.close()


def wait_for(condition: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_an_export_keeps_no_result_bytes_and_a_lost_segment_fails_it_with_the_other_lines(
        bulk: InProcessBulk) -> None:
    """An export changed nothing and can be run again: its chunk records keep no bytes (they cost an export a
    sixth of its time), so a segment lost mid-run leaves the other chunks' lines as partial data."""
    bulk.seed(1000, variants=0)  # chunks of 25 x 16 objects: three
    op = bulk.start_export()
    first = segment_key(op.shop_id, op.id, 0)
    kept: list[bytes | None] = []

    def delete_first(key: str) -> None:
        if key == segment_key(op.shop_id, op.id, 2):
            with bulk.db.read() as conn:
                kept.extend(ops.chunk_data(conn, op.id, index) for index in (0, 1))
            bulk.store.delete(first)

    bulk.store.before_put = delete_first
    bulk.queue.run_pending()

    done = bulk.operation(op)
    assert kept == [None, None]
    assert done.status is Status.FAILED and done.result_key is None and done.partial_key is not None
    chunks = bulk.chunks(done)
    assert len(bulk.lines(done.partial_key)) == sum(c.object_count for c in chunks[1:]), "all but the lost chunk's"
