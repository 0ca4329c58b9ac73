"""One import across many workers (PostgreSQL): chunk-level claims.

Every worker on the import walks the staged file in the same chunks of ``chunk_lines`` lines (chunk ``i`` is
lines ``i * chunk_lines ...``) and, for each chunk without a record, tries to claim it: a transaction-level
advisory lock on (operation, chunk), taken without waiting (``pg_try_advisory_xact_lock``: SKIP LOCKED without a
claims table). The claim lives in the chunk's own transaction, the one that writes its domain rows, segment and
record: so a chunk commits exactly once (the lock, then the record read under it, and the record's primary key
behind both), and a worker that dies mid-chunk loses its claim with its connection, at once, with no heartbeat
to wait for. The worker that holds the operation (the owner) walks the file again for the chunks it found
claimed, waiting on each claim, and runs any chunk whose worker died before recording it.

The owner finishes the operation alone: it takes the operation's lock exclusively for as long as it composes
and sets the final status, while every chunk transaction holds it shared (and, under it, checks the operation
still runs); so no chunk commits after the result file is composed, and a helper that finds the lock taken
stops. Cancel and the time limit are checked before every chunk by every worker, as in the single-writer loop.

Line order: results are composed by chunk index, so the file is in line order whatever worker wrote what. Lines
whose answers depend on earlier lines of the same file (a handle de-duplicated against a product an earlier line
created: "snowboard", "snowboard-1") get unique answers from the (shop, handle) unique index, a line refused by
it being run again (engine/importer.py), but when two such lines are in chunks in flight at once the bare handle
may go to the later line. Likewise two lines in different chunks that write the same object (a ``productSet``
of one handle twice) may apply in either order. Answers that depend on another chunk's lines are the ones that
can differ from a single worker's (lines within one chunk still run in order); ``chunk_helpers=0`` keeps one
worker per import where that matters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import Status
from bulkops.engine.runner import ChunkWork, commit_chunk

if TYPE_CHECKING:
    from bulkops.engine.engine import BulkEngine

log = logging.getLogger(__name__)

OPERATION_KEY = -1
"""The second lock key of an operation's own lock (a chunk's is its index, from 0)."""


class OperationFinishing(Exception):
    """The operation's owner is finishing it (or it no longer runs): no more chunks are taken."""


def _key(operation_id: int) -> int:
    """Advisory locks take two 32-bit keys: the operation's id folded into the first."""
    return operation_id & 0x7FFFFFFF


def take_chunk(conn: Connection, operation_id: int, index: int, wait: bool) -> bool:
    """Claim chunk ``index`` for the rest of ``conn``'s transaction; without ``wait``, False when another worker
    holds it."""
    if wait:
        conn.execute(select(func.pg_advisory_xact_lock(_key(operation_id), index)))
        return True
    return bool(conn.execute(select(func.pg_try_advisory_xact_lock(_key(operation_id), index))).scalar_one())


def join_operation(conn: Connection, operation_id: int) -> bool:
    """Hold the operation's lock shared for the chunk's transaction; False while its owner finishes it."""
    claimed = func.pg_try_advisory_xact_lock_shared(_key(operation_id), OPERATION_KEY)
    return bool(conn.execute(select(claimed)).scalar_one())


def lock_operation(conn: Connection, operation_id: int) -> None:
    """Hold the operation's lock alone for ``conn``'s transaction: waits for every chunk in flight to end."""
    conn.execute(select(func.pg_advisory_xact_lock(_key(operation_id), OPERATION_KEY)))


@contextmanager
def finishing_alone(engine: BulkEngine, operation_id: int) -> Iterator[None]:
    """While the owner composes and sets the final status, no chunk of the operation is in flight or starts."""
    if engine.db.is_sqlite:
        yield
        return
    with engine.db.write() as conn:
        lock_operation(conn, operation_id)
        yield


def chunk_lines_match(done: list[ops.Chunk], size: int) -> bool:
    """Whether the chunks recorded so far are the ones this walk would make (the chunk size did not change
    since they were written: a walk of another size would number other lines with the same indexes)."""
    return all(chunk.first_line == chunk.index * size for chunk in done)


def run_shared_chunks(engine: BulkEngine, op: ops.Operation, work: ChunkWork, size: int, worker: str,
                      owner: bool) -> None:
    """Commit every chunk no other worker claims; the ``owner`` then waits for the chunks others claimed and runs
    those whose worker died. Raises what :meth:`BulkEngine.checkpoint` raises, and OperationFinishing."""
    skipped = _walk(engine, op, work, worker, wait_for=None)
    if owner and skipped:
        _walk(engine, op, work, worker, wait_for=skipped)


def _walk(engine: BulkEngine, op: ops.Operation, work: ChunkWork, worker: str,
          wait_for: set[int] | None) -> set[int]:
    """One pass over the file: the chunks still unrecorded (only ``wait_for``'s, waiting on their claims, when
    given); the indexes of those another worker held."""
    with engine.db.read() as conn:
        recorded = {chunk.index for chunk in ops.chunks(conn, op.id)}
    skipped: set[int] = set()
    with closing(work.pieces([])) as pieces:  # type: ignore[type-var]
        for index, piece in enumerate(pieces):
            if index in recorded or (wait_for is not None and index not in wait_for):
                continue
            engine.checkpoint(op)
            if not _commit_if_free(engine, op, work, piece, index, worker, wait=wait_for is not None):
                skipped.add(index)
    return skipped


def _commit_if_free(engine: BulkEngine, op: ops.Operation, work: ChunkWork, piece: Any, index: int, worker: str,
                    wait: bool) -> bool:
    """In one transaction: claim the chunk and, unless it is recorded already, write and record it. False when
    another worker holds its claim."""
    with engine.db.write() as conn:
        if not join_operation(conn, op.id):
            raise OperationFinishing()
        if not take_chunk(conn, op.id, index, wait):
            return False
        if ops.chunk_recorded(conn, op.id, index):
            return True
        status = ops.status_of(conn, op.id)
        if status is not Status.RUNNING:
            log.info("bulk operation %s is %s: %s takes no more chunks", op.id, status.value, worker)
            raise OperationFinishing()
        commit_chunk(engine, conn, op, work, piece, index, worker)
    return True

