"""Composing an operation's result file from its chunks' segments, so that no committed line's result is lost.

Each chunk record keeps its result bytes, compressed, committed with the chunk (and forgotten once the file is
composed): a segment that went missing, or came back the wrong size, is rebuilt from them. A chunk whose bytes are
not kept (written before they were) and whose segment is gone cannot be rebuilt: the file then holds every line
that still exists, as partial data. A failure that may pass (a full disk, a store out of reach) is the caller's
to retry (:func:`is_storage_trouble`).
"""

from __future__ import annotations

import errno
import logging
import zlib
from dataclasses import dataclass

from bulkops.db.database import Database
from bulkops.engine import operations as ops
from bulkops.protocol.results import operation_prefix, partial_key, result_key
from bulkops.storage.base import FileStore

log = logging.getLogger(__name__)

PASSING_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.EBUSY, errno.ENOMEM,
                            errno.EMFILE, errno.ENFILE, errno.EROFS})
"""Storage failures that an operator (or time) can clear: the work waits for them instead of failing."""


def is_storage_trouble(error: BaseException) -> bool:
    """A failure worth retrying later: a full disk or quota, an I/O error, a store that did not answer."""
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    return isinstance(error, OSError) and error.errno in PASSING_ERRNOS


def keep(data: bytes) -> bytes:
    """A chunk's result bytes as its record keeps them (fast compression: this is on every chunk's path)."""
    return zlib.compress(data, 1)


@dataclass(frozen=True)
class Composed:
    key: str | None
    size: int | None
    lost: list[ops.Chunk]
    """Chunks whose lines could not be recovered (their file is then partial data)."""


def compose_results(store: FileStore, db: Database, op: ops.Operation, chunks: list[ops.Chunk],
                    partial: bool) -> Composed:
    """The operation's file from ``chunks`` (its result file, or with ``partial`` its partial data), rebuilding
    segments from the chunk records when composing finds one missing. Raises what :func:`is_storage_trouble`
    calls trouble (the caller retries later) and anything a rebuilt compose still meets."""
    key = partial_key(op.shop_id, op.id) if partial else result_key(op.shop_id, op.id)
    try:
        return Composed(key, store.compose(key, [c.segment_key for c in chunks]), [])
    except Exception as error:
        if is_storage_trouble(error):
            raise
        log.warning("bulk operation %s: composing failed (%r); rebuilding its segments", op.id, error)
    lost = _rebuild_segments(store, db, op, chunks)
    if lost:
        lines = ", ".join(f"{c.first_line}-{c.last_line}" for c in lost)
        log.error("bulk operation %s: the results of lines %s are lost (no segment, none kept)", op.id, lines)
        key = partial_key(op.shop_id, op.id)
    present = [c.segment_key for c in chunks if c not in lost]
    return Composed(key, store.compose(key, present), lost)


def _rebuild_segments(store: FileStore, db: Database, op: ops.Operation, chunks: list[ops.Chunk]) -> list[ops.Chunk]:
    """Put back every segment that is missing or the wrong size from its chunk record; the chunks that keep
    nothing to put back."""
    lost = []
    for chunk in chunks:
        if store.size(chunk.segment_key) == chunk.segment_size:
            continue
        with db.read() as conn:
            kept = ops.chunk_data(conn, op.id, chunk.index)
        if kept is None:
            lost.append(chunk)
            continue
        store.put(chunk.segment_key, zlib.decompress(kept))
    return lost


def leftover_segments(store: FileStore, db: Database) -> list[str]:
    """Segments of operations that are finished (composed, or given up on) or gone: nothing reads them again."""
    by_operation: dict[int, list[str]] = {}
    for key in store.keys(OPERATIONS_PREFIX):
        parts = key.split("/")
        if len(parts) == 5 and parts[3] == "segments" and parts[2].isdigit():
            by_operation.setdefault(int(parts[2]), []).append(key)
    if not by_operation:
        return []
    with db.read() as conn:
        unfinished = {op.id for op in ops.unfinished(conn)}
    return [key for op_id, keys in by_operation.items() if op_id not in unfinished for key in keys]


OPERATIONS_PREFIX = operation_prefix(0, 0).split("/")[0] + "/"
"""Where every operation's files live (``bulk-operations/<shop>/<operation>/...``)."""
