"""The engine's rules, in-process on an injected clock (spec 3.4-3.6, 4.3, 5, 7): admission (concurrency limit and
daily cap), the chunk protocol, crash resume, take-over of a dead worker's operation, the time limit, cancel and
expiry. The HTTP tests (test_import_lifecycle, test_export_lifecycle, test_run_mutation_checks) keep one
end-to-end case of each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Unpack

import pytest

from bulkops.config import SettingsOverrides
from bulkops.engine import operations as ops
from bulkops.engine.engine import LostClaim
from bulkops.engine.lifecycle import Status
from bulkops.protocol.results import segment_key
from tests.engine.inprocess import Crash, InProcessBulk, products_jsonl

LINE = b'{"product": {"title": "A board"}}\n'
HOUR = 3600.0

MakeBulk = Callable[..., InProcessBulk]


@pytest.fixture
def make_bulk(tmp_path: Path) -> Iterator[MakeBulk]:
    made: list[InProcessBulk] = []

    def make(**changes: Unpack[SettingsOverrides]) -> InProcessBulk:
        bulk = InProcessBulk(tmp_path / f"bulk-{len(made)}", **{"chunk_lines": 25, **changes})
        made.append(bulk)
        return bulk

    yield make
    for bulk in made:
        bulk.close()


@pytest.fixture
def bulk(make_bulk: MakeBulk) -> InProcessBulk:
    return make_bulk()


def crash_at_put(bulk: InProcessBulk, number: int) -> None:
    """The worker dies while writing its ``number``-th file (a chunk's segment): that chunk never commits."""
    puts = 0

    def count(key: str) -> None:
        nonlocal puts
        puts += 1
        if puts == number:
            raise Crash(key)

    bulk.store.before_put = count


def at_put(bulk: InProcessBulk, number: int, action: Callable[[], None]) -> None:
    """Run ``action`` while the ``number``-th file is written (inside that chunk's transaction)."""
    puts = 0

    def count(key: str) -> None:
        nonlocal puts
        puts += 1
        if puts == number:
            action()

    bulk.store.before_put = count


def run_until_crash(bulk: InProcessBulk) -> None:
    with pytest.raises(Crash):
        bulk.queue.run_pending()
    bulk.store.before_put = None


def line_numbers(lines: list[dict[str, Any]]) -> list[int]:
    return [line["__lineNumber"] for line in lines]


def problems(outcome: ops.Operation | list[Any]) -> list[dict[str, Any]]:
    assert isinstance(outcome, list), f"expected user errors, got {outcome}"
    return [error.as_dict() for error in outcome]


# ---- admission ------------------------------------------------------------------------------------------------

def test_from_2026_01_five_bulk_mutations_may_run_and_the_sixth_lists_them(bulk: InProcessBulk) -> None:
    running = [bulk.start_import(LINE, version="2026-01") for _ in range(5)]

    refused = bulk.start_mutation(bulk.stage(LINE), version="2026-01")

    gids = ", ".join(op.gid for op in running)
    assert problems(refused) == [{"field": None, "code": "OPERATION_IN_PROGRESS",
                                  "message": f"A bulk mutation operation for this app and shop is already in "
                                             f"progress: {gids}."}]


def test_a_finished_mutation_frees_its_place_for_the_next(bulk: InProcessBulk) -> None:
    bulk.start_import(LINE, version="2025-10")
    bulk.queue.run_pending()

    assert isinstance(bulk.start_mutation(bulk.stage(LINE), version="2025-10"), ops.Operation)


def test_a_canceling_operation_does_not_block_the_next_one(bulk: InProcessBulk) -> None:
    first = bulk.start_import(LINE, version="2025-10")
    assert bulk.cancel(first) == []

    assert isinstance(bulk.start_mutation(bulk.stage(LINE), version="2025-10"), ops.Operation)


def test_queries_and_mutations_have_separate_limits(bulk: InProcessBulk) -> None:
    bulk.start_import(LINE, version="2025-10")

    assert isinstance(bulk.start_query(version="2025-10"), ops.Operation)
    assert problems(bulk.start_query(version="2025-10"))[0]["code"] == "OPERATION_IN_PROGRESS"


def test_no_such_file_is_reported_before_operation_in_progress(bulk: InProcessBulk) -> None:
    bulk.start_import(LINE, version="2025-10")

    missing = f"tmp/{bulk.shop.id}/bulk/x/missing.jsonl"

    assert problems(bulk.start_mutation(missing, version="2025-10"))[0]["code"] == "NO_SUCH_FILE"


def test_a_shop_never_finds_another_shops_staged_file(bulk: InProcessBulk) -> None:
    theirs = bulk.stage(LINE, shop=bulk.new_shop())

    assert problems(bulk.start_mutation(theirs))[0]["code"] == "NO_SUCH_FILE"


def test_an_empty_staged_file_is_refused(bulk: InProcessBulk) -> None:
    assert problems(bulk.start_mutation(bulk.stage(b""))) == [
        {"field": None, "code": "INVALID_STAGED_UPLOAD_FILE", "message": "The input file is empty."}]


def test_past_the_daily_cap_mutations_are_refused_until_a_day_has_passed(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(daily_mutation_cap=2)
    for _ in range(2):
        bulk.start_import(LINE)
        bulk.queue.run_pending()
        bulk.clock.advance(HOUR)

    refused = bulk.start_mutation(bulk.stage(LINE))
    bulk.clock.advance(21 * HOUR)
    still_refused = bulk.start_mutation(bulk.stage(LINE))
    bulk.clock.advance(HOUR + 1)
    accepted = bulk.start_mutation(bulk.stage(LINE))

    limit = [{"field": None, "code": "LIMIT_REACHED", "message": "Bulk operations limit reached. Please try again later."}]
    assert problems(refused) == limit
    assert problems(still_refused) == limit, "the first of the two was created 23 hours ago: still in the window"
    assert isinstance(accepted, ops.Operation), "24 hours after the first, one place is free again"


def test_before_2026_01_there_is_no_daily_cap(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(daily_mutation_cap=1)
    bulk.start_import(LINE, version="2025-10")
    bulk.queue.run_pending()

    assert isinstance(bulk.start_mutation(bulk.stage(LINE), version="2025-10"), ops.Operation)


# ---- the chunk protocol ----------------------------------------------------------------------------------------

def test_an_import_commits_chunk_by_chunk_and_composes_one_result_line_per_input_line(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(chunk_lines=50)
    op = bulk.start_import(products_jsonl(1_000))

    assert bulk.queue.run_pending() == [op.id]
    done = bulk.operation(op)
    chunks = bulk.chunks(op)
    results = bulk.lines(done.result_key)

    assert done.status is Status.COMPLETED and done.error_code is None
    assert done.object_count == done.root_object_count == 1_000
    assert [(c.first_line, c.last_line, c.object_count) for c in chunks] == [
        (n, n + 49, 50) for n in range(0, 1_000, 50)]
    assert line_numbers(results) == list(range(1_000))
    assert done.file_size == len(bulk.store.read(done.result_key or ""))
    assert bulk.titles() == [f"Board {i}" for i in range(1_000)]
    assert len({r["data"]["productCreate"]["product"]["id"] for r in results}) == 1_000


def test_segments_are_discarded_once_the_result_file_is_composed(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(60))

    bulk.queue.run_pending()

    segments = [segment_key(op.shop_id, op.id, index) for index in range(3)]
    assert [key for method, key in bulk.store.calls if method == "put" and key in segments] == segments
    assert not any(bulk.store.exists(key) for key in segments)
    assert bulk.store.exists(bulk.operation(op).result_key or "")


def test_an_import_whose_every_line_is_blank_completes_without_a_file(bulk: InProcessBulk) -> None:
    op = bulk.start_import(b"\n\n")

    bulk.queue.run_pending()
    done = bulk.operation(op)

    assert done.status is Status.COMPLETED
    assert done.object_count == 0 and done.result_key is None and done.file_size is None


# ---- crash resume ----------------------------------------------------------------------------------------------

def test_an_import_whose_worker_died_mid_chunk_resumes_without_losing_or_repeating_a_line(
        bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(200))
    crash_at_put(bulk, 3)  # chunks 0 and 1 commit; chunk 2 dies while its segment is written
    run_until_crash(bulk)
    at_crash = bulk.operation(op)
    titles_at_crash = bulk.titles()

    assert bulk.restart() == [op.id]
    bulk.queue.run_pending()
    done = bulk.operation(op)
    results = bulk.lines(done.result_key)

    assert at_crash.status is Status.RUNNING and at_crash.object_count == 50
    assert titles_at_crash == [f"Board {i}" for i in range(50)], "the dead chunk's writes rolled back"
    assert done.status is Status.COMPLETED and done.object_count == 200
    assert line_numbers(results) == list(range(200))
    assert bulk.titles() == [f"Board {i}" for i in range(200)]
    assert len({r["data"]["productCreate"]["product"]["id"] for r in results}) == 200


def test_an_export_whose_worker_died_mid_chunk_resumes_without_losing_or_repeating_a_line(
        make_bulk: MakeBulk) -> None:
    bulk = make_bulk(chunk_lines=1)  # a chunk closes at 16 objects: four products and their three variants
    bulk.seed(40)
    op = bulk.start_export(group_objects=True)
    crash_at_put(bulk, 3)
    run_until_crash(bulk)
    at_crash = bulk.operation(op)

    bulk.restart()
    bulk.queue.run_pending()
    done = bulk.operation(op)
    lines = bulk.lines(done.result_key)

    assert at_crash.status is Status.RUNNING and at_crash.root_object_count == 8
    assert done.status is Status.COMPLETED
    assert done.object_count == 160 and done.root_object_count == 40
    assert ["__parentId" in line for line in lines] == [False, True, True, True] * 40
    assert len({line["id"] for line in lines}) == 160
    for start in range(0, 160, 4):
        assert {line["__parentId"] for line in lines[start + 1:start + 4]} == {lines[start]["id"]}


def test_a_dead_workers_operation_is_taken_over_only_once_its_heartbeat_is_stale(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(heartbeat_stale_s=60)
    op = bulk.start_import(products_jsonl(100))
    crash_at_put(bulk, 3)
    run_until_crash(bulk)
    held_by_the_dead = bulk.operation(op)

    bulk.clock.advance(59)
    early = bulk.engine.stale_operations()
    bulk.engine.run(op.id, "second-worker")
    untouched = bulk.operation(op)
    bulk.clock.advance(2)
    late = bulk.engine.stale_operations()
    bulk.engine.run(op.id, "second-worker")
    done = bulk.operation(op)

    assert early == [] and untouched.object_count == 50 and untouched.worker == held_by_the_dead.worker
    assert late == [op.id]
    assert done.status is Status.COMPLETED and line_numbers(bulk.lines(done.result_key)) == list(range(100))
    assert bulk.titles() == [f"Board {i}" for i in range(100)]
    with pytest.raises(LostClaim):
        bulk.engine.checkpoint(held_by_the_dead)  # were the first worker only slow, it would stop here


# ---- the time limit --------------------------------------------------------------------------------------------

def test_an_import_past_its_time_limit_fails_with_timeout_and_the_chunks_done_as_partial_data(
        make_bulk: MakeBulk) -> None:
    bulk = make_bulk(mutation_time_limit_s=HOUR)
    op = bulk.start_import(products_jsonl(200))
    at_put(bulk, 2, lambda: bulk.clock.advance(HOUR + 1))  # while the second chunk commits

    bulk.queue.run_pending()
    done = bulk.operation(op)

    assert done.status is Status.FAILED and done.error_code == "TIMEOUT"
    assert done.result_key is None and done.completed_at == bulk.clock.now()
    assert line_numbers(bulk.lines(done.partial_key)) == list(range(50))
    assert bulk.titles() == [f"Board {i}" for i in range(50)]


def test_an_import_that_waited_past_its_time_limit_fails_before_running_a_line(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(mutation_time_limit_s=HOUR)
    op = bulk.start_import(products_jsonl(10))
    bulk.clock.advance(HOUR + 1)

    bulk.queue.run_pending()
    done = bulk.operation(op)

    assert done.status is Status.FAILED and done.error_code == "TIMEOUT"
    assert done.partial_key is None and done.object_count == 0 and bulk.titles() == []


def test_an_import_just_inside_its_time_limit_completes(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(mutation_time_limit_s=HOUR)
    op = bulk.start_import(products_jsonl(10))
    bulk.clock.advance(HOUR)

    bulk.queue.run_pending()

    assert bulk.operation(op).status is Status.COMPLETED


def test_an_export_past_its_time_limit_fails_with_timeout_and_whole_products_as_partial_data(
        make_bulk: MakeBulk) -> None:
    bulk = make_bulk(chunk_lines=1, query_time_limit_s=HOUR)
    bulk.seed(40)
    op = bulk.start_export()
    at_put(bulk, 2, lambda: bulk.clock.advance(HOUR + 1))

    bulk.queue.run_pending()
    done = bulk.operation(op)
    partial = bulk.lines(done.partial_key)

    assert done.status is Status.FAILED and done.error_code == "TIMEOUT" and done.result_key is None
    assert done.root_object_count == 8 and done.object_count == len(partial) == 32
    assert sum("__parentId" not in line for line in partial) == 8


# ---- cancel ----------------------------------------------------------------------------------------------------

def test_a_cancel_before_any_worker_ran_the_operation_ends_it_canceled_without_a_file(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(10))

    assert bulk.cancel(op) == []
    assert bulk.operation(op).status is Status.CANCELING
    bulk.queue.run_pending()
    done = bulk.operation(op)

    assert done.status is Status.CANCELED and done.completed_at is None
    assert done.result_key is None and bulk.titles() == []


def test_a_canceled_import_keeps_the_chunks_it_committed(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(200))
    crash_at_put(bulk, 3)
    run_until_crash(bulk)

    bulk.cancel(op)
    bulk.restart()
    bulk.queue.run_pending()
    done = bulk.operation(op)

    assert done.status is Status.CANCELED and done.completed_at is None and done.finished_at is not None
    assert done.object_count == 50
    assert line_numbers(bulk.lines(done.result_key)) == list(range(50))
    assert bulk.titles() == [f"Board {i}" for i in range(50)]


def test_a_finished_operation_cannot_be_canceled(bulk: InProcessBulk) -> None:
    op = bulk.start_import(LINE)
    bulk.queue.run_pending()

    assert [e.message for e in bulk.cancel(op)] == ["A bulk operation cannot be canceled when it is completed"]
    assert bulk.operation(op).status is Status.COMPLETED


# ---- expiry ----------------------------------------------------------------------------------------------------

def test_results_expire_after_their_lifetime_and_their_files_are_deleted(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(result_url_ttl_s=7 * 24 * 3600)
    op = bulk.start_import(products_jsonl(3))
    bulk.queue.run_pending()
    result_key = bulk.operation(op).result_key or ""

    bulk.clock.advance(7 * 24 * 3600)
    kept = bulk.engine.expire_due()
    bulk.clock.advance(1)
    expired = bulk.engine.expire_due()

    assert kept == 0 and expired == 1
    assert bulk.operation(op).status is Status.EXPIRED
    assert not bulk.store.exists(result_key)


def test_partial_data_of_a_failed_operation_expires_too(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(mutation_time_limit_s=HOUR, result_url_ttl_s=HOUR)
    op = bulk.start_import(products_jsonl(100))
    at_put(bulk, 3, lambda: bulk.clock.advance(HOUR + 1))
    bulk.queue.run_pending()
    partial_key = bulk.operation(op).partial_key or ""
    assert bulk.store.exists(partial_key)

    bulk.clock.advance(HOUR + 1)

    assert bulk.engine.expire_due() == 1
    assert bulk.operation(op).status is Status.EXPIRED and not bulk.store.exists(partial_key)


def test_unfinished_operations_never_expire(make_bulk: MakeBulk) -> None:
    bulk = make_bulk(result_url_ttl_s=HOUR)
    op = bulk.start_import(LINE)

    bulk.clock.advance(10 * HOUR)

    assert bulk.engine.expire_due() == 0
    assert bulk.operation(op).status is Status.CREATED
