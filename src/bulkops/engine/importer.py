"""The import runner: walks the staged JSONL in chunks; each chunk's domain writes, result segment,
chunk record and counters commit together, so a restart resumes at the first unrecorded chunk."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from bulkops.engine import operations as ops
from bulkops.engine.executor import ChunkExecutor, RunSlowly
from bulkops.protocol.lines import decode_variables, line_error
from bulkops.protocol.results import result_line, segment_key
from bulkops.storage.base import FileStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Batch:
    first_line: int
    lines: list[tuple[int, bytes]]
    end_offset: int


def read_batches(stream: BinaryIO, first_line: int, size: int) -> Iterator[Batch]:
    """Physical lines in batches of ``size``, numbered from ``first_line``, with the byte offset after each."""
    number = first_line
    lines: list[tuple[int, bytes]] = []
    start = number
    for raw in iter(stream.readline, b""):
        lines.append((number, raw))
        number += 1
        if len(lines) == size:
            yield Batch(start, lines, stream.tell())
            lines, start = [], number
    if lines:
        yield Batch(start, lines, stream.tell())


def runnable_lines(batch: Batch) -> list[tuple[int, bytes]]:
    """The batch's lines that run (blank lines are skipped, yet keep their numbers)."""
    return [(number, raw) for number, raw in batch.lines if raw.strip()]


def look_ahead_batches(batches: Iterator[Batch], executor: ChunkExecutor) -> Iterator[Batch]:
    """``batches``, telling the executor which lines come next, ``look_ahead_depth`` batches before each is
    run, so it can start on them elsewhere."""
    depth = max(1, executor.look_ahead_depth)
    upcoming: deque[Batch] = deque()
    for batch in batches:
        executor.look_ahead([raw for _, raw in runnable_lines(batch)])
        upcoming.append(batch)
        if len(upcoming) > depth:
            yield upcoming.popleft()
    yield from upcoming


LINE_ATTEMPTS = 3
"""Runs of a line another writer got in the way of: the unique index refused the handle it chose (a worker on
another chunk of the same import, or another import, committed it first; run again, it sees that handle taken),
or PostgreSQL broke a deadlock between two such writers by failing this line's statement."""


def another_writer_in_the_way(error: Exception) -> bool:
    """A unique-index refusal, or a deadlock or serialization failure (SQLSTATE class 40) on PostgreSQL."""
    if isinstance(error, IntegrityError):
        return True
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, OperationalError) and isinstance(sqlstate, str) and sqlstate.startswith("40")


def execute_line(conn: Connection, executor: ChunkExecutor, raw: bytes) -> dict[str, Any]:
    """One line in its own savepoint: a line that fails leaves no writes behind."""
    variables, problem = decode_variables(raw)
    if variables is None:
        return problem or line_error("Unreadable line.", "INVALID_JSONL")
    for attempt in range(1, LINE_ATTEMPTS + 1):
        try:
            return _in_savepoint(conn, executor, variables)
        except Exception as error:
            if not another_writer_in_the_way(error):
                log.exception("line failed inside the executor")
                break
            if attempt == LINE_ATTEMPTS:
                log.exception("another writer got in the way of this line %s times", attempt)
    return line_error("Internal error while running this line.", "INTERNAL_SERVER_ERROR")


def _in_savepoint(conn: Connection, executor: ChunkExecutor, variables: dict[str, Any]) -> dict[str, Any]:
    """The line's response; its writes kept only when it has no errors (rolled back when it raises)."""
    savepoint = conn.begin_nested()
    try:
        try:
            response = executor.run_one(conn, variables)
        except RunSlowly as slow:
            savepoint.rollback()
            savepoint = conn.begin_nested()
            response = slow.fallback(conn, variables)
    except Exception:
        savepoint.rollback()
        raise
    if response.get("errors"):
        savepoint.rollback()
    else:
        savepoint.commit()
    return response


LineFaults = Callable[[Connection, list[int]], dict[int, dict[str, Any]]]
"""The result lines injected faults put in place of some of a chunk's lines (by number): those do not run."""


def _responses(conn: Connection, executor: ChunkExecutor, lines: list[tuple[int, bytes]],
               faulted: LineFaults | None) -> list[dict[str, Any]]:
    replaced = faulted(conn, [number for number, _ in lines]) if faulted is not None else {}
    run = [raw for number, raw in lines if number not in replaced]
    ran = iter(executor.run_chunk(conn, run, lambda raw: execute_line(conn, executor, raw)))
    return [replaced[number] if number in replaced else next(ran) for number, _ in lines]


def run_batch(
    conn: Connection, executor: ChunkExecutor, batch: Batch, shop_id: int, operation_id: int, index: int,
    faulted: LineFaults | None = None,
) -> tuple[bytes, ops.Chunk]:
    """Execute a batch inside ``conn``'s transaction; returns the segment bytes and its chunk record."""
    lines = runnable_lines(batch)
    responses = _responses(conn, executor, lines, faulted)
    out = [result_line(response, number) for (number, _), response in zip(lines, responses, strict=True)]
    data = b"".join(out)
    chunk = ops.Chunk(
        index=index,
        first_line=batch.first_line,
        last_line=batch.lines[-1][0],
        object_count=len(out),
        root_object_count=len(out),
        segment_key=segment_key(shop_id, operation_id, index),
        segment_size=len(data),
        resume_offset=batch.end_offset,
        failed_lines=sum(1 for response in responses if line_failed(response)),
    )
    return data, chunk


def line_failed(response: dict[str, Any]) -> bool:
    """A line failed when its response has top-level ``errors`` or a payload with non-empty ``userErrors``."""
    if response.get("errors"):
        return True
    data = response.get("data")
    payloads = data.values() if isinstance(data, dict) else ()
    return any(isinstance(p, dict) and p.get("userErrors") for p in payloads)


@dataclass
class ImportWork:
    """An import's chunks: the staged file's lines, ``chunk_lines`` at a time, run through ``executor``."""

    store: FileStore
    op: ops.Operation
    executor: ChunkExecutor
    chunk_lines: int
    faulted: LineFaults | None = None

    def pieces(self, done: list[ops.Chunk]) -> Iterator[Batch]:
        assert self.op.staged_upload_path is not None
        first_line = done[-1].last_line + 1 if done else 0
        with self.store.open(self.op.staged_upload_path) as stream:
            stream.seek(done[-1].resume_offset if done else 0)
            yield from look_ahead_batches(read_batches(stream, first_line, self.chunk_lines), self.executor)

    def write(self, conn: Connection, piece: Batch, index: int) -> tuple[bytes, ops.Chunk]:
        return run_batch(conn, self.executor, piece, self.op.shop_id, self.op.id, index, self.faulted)
