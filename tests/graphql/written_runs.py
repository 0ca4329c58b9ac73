"""What the path tests of the writers built on ``WrittenInRuns`` share: a pair of sides seeded alike (one runs
lines one by one, the other batched) and a count of the lines the batches answered (a path test is only as good
as that number)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bulkops.graphql.planner.writer_base import WrittenInRuns
from tests.graphql.test_compiled_plan import Side

Seeded = Callable[[Path, bool], Side]
"""(data dir, compiled) -> a side with the module's seed rows written."""


@contextmanager
def one_by_one_and_batched_sides(tmp_path: Path, seeded: Seeded) -> Iterator[tuple[Side, Side]]:
    one_by_one, batched = seeded(tmp_path / "one-by-one", False), seeded(tmp_path / "batched", True)
    try:
        yield one_by_one, batched
    finally:
        one_by_one.runtime.db.dispose()
        batched.runtime.db.dispose()


def count_written_lines(executor: WrittenInRuns) -> dict[str, int]:
    """How many lines the executor's runs answer, counted as they are written."""
    written = {"lines": 0}
    write = executor.write_run

    def counted(context: Any, run: list[Any]) -> list[dict[str, Any]]:
        written["lines"] += len(run)
        return write(context, run)

    executor.write_run = counted  # type: ignore[method-assign]
    return written
