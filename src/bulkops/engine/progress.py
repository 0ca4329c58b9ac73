"""Live progress of an operation (the bulkops extension, invisible to Shopify clients): an import's total lines,
lines done, rate over a recent window and time left, all from the chunk records' times on the server's
injected clock, so several processes agree and a test on a frozen clock controls the rate exactly.

The line count of an import is taken by its worker before the first chunk (:func:`count_lines`), not at
admission: counting at admission would read the whole staged file (100 MB, from S3 perhaps) inside
``bulkOperationRunMutation``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import Connection

from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import TERMINAL, OperationType, Status
from bulkops.storage.base import FileStore

RATE_WINDOW_S = 30.0
"""The rate is measured over at most this much of the most recent work (a chunk of 500 lines takes well under
a second at full speed; a slower resource still has several chunks in the window)..."""
WINDOW_SHARE = 0.25
"""...and over at most this share of the time the operation has run, so that a slow start (caches, helper
processes warming up) does not weigh on the ETA of a short import for most of its run. On this machine a
100,000-line import run at 2,000-4,000 lines/s overestimated its remaining time at the halfway point by 16 % and
37 % with a plain 30 s window, by -3 % and +9 % with this one (bench/progress_eta.py, load average 7-9)."""
MARKS_READ = 200
"""Chunk records read for the window at most (enough for 100,000 lines a window at 500 lines a chunk)."""
STALL_S = 60.0
"""A RUNNING operation with no chunk recorded for this long is ``stalled``."""
READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Progress:
    total_lines: int | None
    lines_done: int
    lines_per_second: float | None
    eta_seconds: float | None
    stalled: bool

    def as_dict(self) -> dict[str, object]:
        return {"totalLines": self.total_lines, "linesDone": self.lines_done,
                "linesPerSecond": self.lines_per_second, "etaSeconds": self.eta_seconds, "stalled": self.stalled}


def count_lines(stream: BinaryIO) -> int:
    """Physical lines, numbered as the import numbers them (a last line without a newline counts)."""
    count, last = 0, b"\n"
    for block in iter(lambda: stream.read(READ_BYTES), b""):
        count += block.count(b"\n")
        last = block[-1:]
    return count + (last != b"\n")


def rate(marks: list[ops.ChunkMark], start: tuple[datetime, int] | None) -> float | None:
    """Lines a second from the newest mark back to the newest one at least a window older (else the
    operation's ``start``: when it started and the lines done then, else the oldest mark). The window is
    ``WINDOW_SHARE`` of the time since that first point, at most ``RATE_WINDOW_S``."""
    points = [(m.recorded_at, m.lines_done) for m in marks if m.recorded_at is not None]
    if start is not None:
        points = [p for p in points if p[0] >= start[0]]
        points.insert(0, start)
    if len(points) < 2:
        return None
    newest_at, newest_lines = points[-1]
    reference = points[0]
    window_s = min(RATE_WINDOW_S, WINDOW_SHARE * (newest_at - reference[0]).total_seconds())
    for point in points:
        if (newest_at - point[0]).total_seconds() >= window_s:
            reference = point
    seconds = (newest_at - reference[0]).total_seconds()
    if seconds <= 0:
        return None
    return (newest_lines - reference[1]) / seconds


def eta(total: int | None, done: int, per_second: float | None, since_newest_s: float) -> float | None:
    """Seconds left at ``per_second``, less the time already gone since the newest mark (never below 0)."""
    if total is None or not per_second or per_second <= 0:
        return None
    return max(0.0, (total - done) / per_second - since_newest_s)


def of_operation(conn: Connection, op: ops.Operation, now: datetime) -> Progress:
    """An import's progress from its chunk records; an export's lines done are its ``objectCount`` (its total
    is unknown until it ends, so it has no rate or ETA)."""
    marks = ops.recent_marks(conn, op.id, MARKS_READ)
    newest = marks[-1].recorded_at if marks and marks[-1].recorded_at else op.started_at
    if op.type is not OperationType.MUTATION:
        return Progress(None, op.object_count, None, None, _stalled(op, newest, now))
    done = marks[-1].lines_done if marks else 0
    if op.status is Status.COMPLETED and op.input_lines is not None:
        done = op.input_lines
    start = (op.started_at, _done_before(marks, op.started_at)) if op.started_at else None
    per_second = rate(marks, start)
    since = (now - newest).total_seconds() if newest else 0.0
    left = _time_left(op, done, per_second, since)
    return Progress(op.input_lines, done, _rounded(per_second), _rounded(left), _stalled(op, newest, now))


def _time_left(op: ops.Operation, done: int, per_second: float | None, since_newest_s: float) -> float | None:
    """None once the operation ended otherwise than COMPLETED (nothing is left to do, nor was it all done)."""
    if op.status is Status.COMPLETED:
        return 0.0
    if op.status in TERMINAL:
        return None
    return eta(op.input_lines, done, per_second, since_newest_s)


def _done_before(marks: list[ops.ChunkMark], moment: datetime) -> int:
    """Lines done when the operation (re)started: those of the chunks recorded before it (a resumed run)."""
    before = [m.lines_done for m in marks if m.recorded_at is not None and m.recorded_at < moment]
    return before[-1] if before else 0


def _stalled(op: ops.Operation, moved: datetime | None, now: datetime) -> bool:
    return op.status is Status.RUNNING and moved is not None and (now - moved).total_seconds() > STALL_S


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class Where:
    """What a view of an operation needs beyond the database: its files' store, the result URL lifetime, the
    base URL files are served from, and now."""

    store: FileStore
    result_url_ttl_s: float
    base_url: str
    now: datetime


def operation_view(conn: Connection, op: ops.Operation, where: Where) -> dict[str, Any]:
    """An operation as the extension endpoint and the event stream show it (the same shape in both)."""
    return {"id": op.gid, "status": op.status.value, "progress": of_operation(conn, op, where.now).as_dict(),
            "files": {"failedLinesUrl": failed_lines_url(op, where)}}


def failed_lines_url(op: ops.Operation, where: Where) -> str | None:
    """A signed URL of the failed-lines file, expiring with the operation's result URL (none once EXPIRED)."""
    if op.failed_lines_key is None or op.finished_at is None or op.status is Status.EXPIRED:
        return None
    expires_at = op.finished_at + timedelta(seconds=where.result_url_ttl_s)
    return where.store.download_url(op.failed_lines_key, f"bulk-{op.id}-failed-lines.jsonl", expires_at,
                                    where.base_url)
