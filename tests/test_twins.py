"""The in-package twins of the engine's ports (MemoryStore for FileStore, InlineQueue for WorkQueue) record what
was asked of them and start clean again on reset; their contract with the engine is checked where the real
adapters' is (tests/storage/test_file_store.py) and by the engine rules they run (tests/engine/test_engine_rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkops.engine.lifecycle import Status
from bulkops.storage.memory import MemoryStore
from tests.engine.inprocess import InProcessBulk, products_jsonl


def test_the_memory_store_records_each_call_and_a_reset_empties_it() -> None:
    store = MemoryStore()
    store.before_put = lambda key: None
    store.put("a/b.jsonl", b"x\n")
    store.compose("a/c.jsonl", ["a/b.jsonl"])

    calls = list(store.calls)
    store.reset()

    assert calls == [("put", "a/b.jsonl"), ("compose", "a/c.jsonl")]
    assert store.objects == {} and store.calls == [] and store.before_put is None


def test_the_memory_store_refuses_keys_the_real_stores_refuse() -> None:
    store = MemoryStore()

    for key in ("", "/abs.jsonl", "../up.jsonl", "a//b.jsonl", "a/./b.jsonl"):
        with pytest.raises(ValueError):
            store.put(key, b"x")
        assert store.size(key) is None


def test_the_inline_queue_runs_nothing_until_told_and_a_repeated_submit_runs_once(tmp_path: Path) -> None:
    bulk = InProcessBulk(tmp_path)
    try:
        op = bulk.start_import(products_jsonl(2))
        bulk.queue.submit(op.id)
        waiting = bulk.operation(op).status

        ran = bulk.queue.run_pending()

        assert waiting is Status.CREATED
        assert ran == [op.id] and bulk.queue.submitted == [op.id, op.id]
        assert bulk.operation(op).status is Status.COMPLETED
        bulk.queue.reset()
        assert bulk.queue.pending == [] and bulk.queue.submitted == []
    finally:
        bulk.close()
