"""Live progress of an import (the bulkops extension), in-process on a frozen clock the test moves a fixed time per
chunk: the rate, ETA and stall flag are checked against exact figures, never against wall time."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bulkops.engine import operations as ops
from bulkops.engine import progress
from bulkops.engine.lifecycle import Status
from tests.engine.inprocess import InProcessBulk, products_jsonl


@pytest.fixture
def bulk(tmp_path: Path) -> Iterator[InProcessBulk]:
    made = InProcessBulk(tmp_path / "bulk", chunk_lines=10)
    yield made
    made.close()


def progress_of(bulk: InProcessBulk, operation: ops.Operation) -> progress.Progress:
    with bulk.db.read() as conn:
        current = ops.get(conn, operation.id)
        assert current is not None
        return progress.of_operation(conn, current, bulk.clock.now())


def before_each_chunk(bulk: InProcessBulk, step: Callable[[int], None]) -> None:
    """Call ``step(chunks already recorded)`` just before the worker starts each chunk."""
    checkpoint = bulk.engine.checkpoint
    calls = [0]

    def checked(op: ops.Operation) -> None:
        step(calls[0])
        calls[0] += 1
        checkpoint(op)

    bulk.engine.checkpoint = checked  # type: ignore[method-assign]


def test_the_line_count_counts_blank_lines_and_a_last_line_without_a_newline() -> None:
    assert progress.count_lines(io.BytesIO(b'{"a": 1}\n\n{"a": 2}')) == 3
    assert progress.count_lines(io.BytesIO(b'{"a": 1}\n\n{"a": 2}\n')) == 3
    assert progress.count_lines(io.BytesIO(b"")) == 0


def test_an_import_knows_its_total_lines_once_its_worker_starts_and_ends_with_all_of_them_done(
        bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(24) + b"\n" + products_jsonl(1)[:-1])
    assert progress_of(bulk, operation).total_lines is None
    bulk.queue.run_pending()

    done = progress_of(bulk, operation)
    assert bulk.operation(operation).status is Status.COMPLETED
    assert (done.total_lines, done.lines_done, done.eta_seconds, done.stalled) == (26, 26, 0.0, False)


def test_at_the_halfway_point_of_a_steady_import_the_eta_is_the_time_left_exactly(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(200))
    seen: dict[int, progress.Progress] = {}

    def step(recorded: int) -> None:
        if recorded == 10:
            seen[recorded] = progress_of(bulk, operation)
        bulk.clock.advance(2.0)  # every chunk of 10 lines takes 2 s: 5 lines a second

    before_each_chunk(bulk, step)
    bulk.queue.run_pending()

    halfway = seen[10]
    assert (halfway.total_lines, halfway.lines_done) == (200, 100)
    assert halfway.lines_per_second == 5.0
    assert halfway.eta_seconds == 20.0  # 10 chunks left at 2 s each


def test_the_rate_follows_the_last_half_minute_of_a_long_run_not_the_whole_run(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(400))
    seen: list[progress.Progress] = []

    def step(recorded: int) -> None:
        if recorded == 35:
            seen.append(progress_of(bulk, operation))
        bulk.clock.advance(10.0 if recorded < 5 else 2.0)  # 1 line a second for 50 s, then 5 for 60 s

    before_each_chunk(bulk, step)
    bulk.queue.run_pending()

    late = seen[0]
    assert late.lines_done == 350
    assert late.lines_per_second == 5.0  # over the whole run it would be 350 / 110 s
    assert late.eta_seconds == 10.0


def test_a_slow_start_does_not_weigh_on_the_eta_of_a_short_import(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(200))
    seen: list[progress.Progress] = []

    def step(recorded: int) -> None:
        if recorded == 10:
            seen.append(progress_of(bulk, operation))
        bulk.clock.advance(10.0 if recorded < 2 else 1.0)  # two slow chunks warming up, then 10 lines a second

    before_each_chunk(bulk, step)
    bulk.queue.run_pending()

    halfway = seen[0]
    assert halfway.lines_done == 100
    assert halfway.lines_per_second == 10.0  # over the last quarter of its 28 s; over all of them, 3.57
    assert halfway.eta_seconds == 10.0  # 10 chunks left at 1 s each


def test_a_running_import_with_no_chunk_for_a_minute_is_stalled_until_the_next_chunk(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(40))
    seen: list[tuple[int, bool]] = []

    def step(recorded: int) -> None:
        if recorded == 2:
            bulk.clock.advance(progress.STALL_S)
            seen.append((recorded, progress_of(bulk, operation).stalled))
            bulk.clock.advance(1.0)
            seen.append((recorded, progress_of(bulk, operation).stalled))
        if recorded == 3:
            seen.append((recorded, progress_of(bulk, operation).stalled))

    before_each_chunk(bulk, step)
    bulk.queue.run_pending()

    assert seen == [(2, False), (2, True), (3, False)]
    assert progress_of(bulk, operation).stalled is False


def test_a_canceled_import_keeps_the_lines_it_did_and_has_no_time_left(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(100))

    def step(recorded: int) -> None:
        bulk.clock.advance(1.0)
        if recorded == 3:
            bulk.cancel(operation)

    before_each_chunk(bulk, step)
    bulk.queue.run_pending()

    ended = progress_of(bulk, operation)
    assert bulk.operation(operation).status is Status.CANCELED
    assert (ended.total_lines, ended.lines_done, ended.eta_seconds, ended.stalled) == (100, 30, None, False)


def test_an_export_reports_its_objects_written_with_no_total_or_eta(bulk: InProcessBulk) -> None:
    bulk.seed(3, variants=1)
    operation = bulk.start_export("{ products { edges { node { id } } } }")
    bulk.queue.run_pending()

    done = progress_of(bulk, operation)
    assert (done.total_lines, done.lines_done, done.lines_per_second, done.eta_seconds) == (None, 3, None, None)


MIXED = (b'{"product": {"title": "Good 1"}}\n'
         b'{"product": {"title": ""}}\n'
         b"\n"
         b"not json at all\n"
         b'{"product": {"title": "Good 2"}}\n'
         b'{"product":  {"title": "", "vendor": "spaced \\u00e9"}}')
"""Lines 1, 3 and 5 fail (an empty title, not JSON, an empty title on a last line with no newline)."""


def test_the_failed_lines_file_holds_exactly_the_failed_input_lines_byte_for_byte_in_order(
        bulk: InProcessBulk) -> None:
    operation = bulk.start_import(MIXED)
    bulk.queue.run_pending()

    done = bulk.operation(operation)
    assert done.status is Status.COMPLETED and done.failed_lines_key is not None
    assert bulk.store.read(done.failed_lines_key) == (b'{"product": {"title": ""}}\n'
                                                      b"not json at all\n"
                                                      b'{"product":  {"title": "", "vendor": "spaced \\u00e9"}}')


def test_the_failed_lines_fixed_and_run_again_complete_with_no_errors(bulk: InProcessBulk) -> None:
    first = bulk.start_import(MIXED)
    bulk.queue.run_pending()
    failed = bulk.store.read(bulk.operation(first).failed_lines_key or "")

    fixed = failed.replace(b'"title": ""', b'"title": "Fixed"').replace(b"not json at all",
                                                                           b'{"product": {"title": "Now JSON"}}')
    again = bulk.start_import(fixed)
    bulk.queue.run_pending()

    rerun = bulk.operation(again)
    assert rerun.status is Status.COMPLETED and rerun.failed_lines_key is None
    assert [line["data"]["productCreate"]["userErrors"] for line in bulk.lines(rerun.result_key)] == [[], [], []]


def test_an_import_with_no_failed_line_has_no_failed_lines_file(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(products_jsonl(12))
    bulk.queue.run_pending()
    assert bulk.operation(operation).failed_lines_key is None
    assert not [key for key in bulk.store.keys("bulk-operations/") if "failed-lines" in key]


def test_the_failed_lines_file_goes_when_the_operation_expires(bulk: InProcessBulk) -> None:
    operation = bulk.start_import(MIXED)
    bulk.queue.run_pending()
    key = bulk.operation(operation).failed_lines_key
    assert key is not None and bulk.store.exists(key)

    bulk.clock.advance(bulk.settings.result_url_ttl_s + 1)
    assert bulk.engine.expire_due() == 1
    assert not bulk.store.exists(key)
