"""One chunk loop for imports and exports.

An operation's work is a sequence of pieces (an import's batches of lines, an export's batches of rows). For
each piece the loop checks that the operation is still this worker's and still wanted (cancel, time limit),
then, in one write transaction, turns the piece into its result segment and chunk record (an import's domain
writes happen there too) and records the chunk with the operation's counters. So a crash resumes at the first
piece without a record: no line or row is lost, none is written twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection

from bulkops.engine import operations as ops

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bulkops.engine.engine import BulkEngine


class ChunkWork(Protocol):
    """What one operation type does per chunk; the loop around it is the same for every type."""

    def pieces(self, done: list[ops.Chunk]) -> Iterator[Any]:
        """The pieces still to do, after the ``done`` chunks (resuming where they stopped)."""

    def write(self, conn: Connection, piece: Any, index: int) -> tuple[bytes, ops.Chunk]:
        """Inside the chunk's transaction: the piece's segment bytes and its chunk record."""


def run_chunks(engine: BulkEngine, op: ops.Operation, work: ChunkWork) -> None:
    with engine.db.read() as conn:
        done = ops.chunks(conn, op.id)
    index = len(done)
    lines = done[-1].last_line + 1 if done else 0
    if done:
        log.info("bulk operation %s resumes at chunk %s (line %s): %s chunks were already recorded",
                 op.id, index, done[-1].last_line + 1, index)
    with closing(work.pieces(done)) as pieces:  # type: ignore[type-var]
        if not done:
            engine.after_lines(op, -1, 0)
        for piece in pieces:
            engine.checkpoint(op)
            engine.pace(op, lines)
            with engine.db.write() as conn:
                chunk = commit_chunk(engine, conn, op, work, piece, index, op.worker)
            index += 1
            engine.after_lines(op, lines, chunk.last_line + 1)
            lines = chunk.last_line + 1
    engine.pace(op, lines)  # finishing is a step of its own: a held operation shows all its lines RUNNING first


def commit_chunk(engine: BulkEngine, conn: Connection, op: ops.Operation, work: ChunkWork, piece: Any, index: int,
                 worker: str | None) -> ops.Chunk:
    """Inside the chunk's transaction: its writes, its segment and its record (naming the ``worker``)."""
    started = time.perf_counter()
    data, chunk = work.write(conn, piece, index)
    chunk = replace(chunk, duration_ms=round((time.perf_counter() - started) * 1000), worker=worker)
    engine.record_chunk(conn, op, chunk, data)
    return chunk
