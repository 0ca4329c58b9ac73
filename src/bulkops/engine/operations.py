"""Named queries over bulk operations and their chunk records. Workers and resolvers go through these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import bulk_chunks, bulk_operations, shops
from bulkops.engine.lifecycle import IN_PROGRESS, UNFINISHED, OperationType, Status


@dataclass(frozen=True)
class Operation:
    id: int
    shop_id: int
    type: OperationType
    status: Status
    error_code: str | None
    query: str
    client_identifier: str | None
    group_objects: bool
    api_version: str
    staged_upload_path: str | None
    input_size: int | None
    input_lines: int | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    finished_at: datetime | None
    object_count: int
    root_object_count: int
    file_size: int | None
    result_key: str | None
    partial_key: str | None
    heartbeat_at: datetime | None
    worker: str | None
    retries: int = 0
    """Times in a row its work or its composing failed on storage (a full disk...) and waits to be retried."""
    retry_reason: str | None = None
    finishing_status: str | None = None
    """Set while its result file waits to be composed: the final status it will then reach."""
    finishing_error_code: str | None = None
    failed_lines_key: str | None = None
    """The file of the input lines whose results carried errors (an import with failed lines, once finished)."""

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.id}"

    @property
    def result_filename(self) -> str:
        return f"bulk-{self.id}.jsonl"


@dataclass(frozen=True)
class Chunk:
    index: int
    first_line: int
    last_line: int
    object_count: int
    root_object_count: int
    segment_key: str
    segment_size: int
    resume_offset: int
    failed_lines: int = 0
    """Import lines whose result has errors or userErrors (for ``/metrics``)."""
    duration_ms: int | None = None
    """How long the chunk's work took (for ``/metrics``)."""
    worker: str | None = None
    """The worker that committed it (an import on PostgreSQL has several: engine/shared_chunks.py)."""


def from_row(row: Any) -> Operation:
    data = dict(row._mapping)
    data["type"] = OperationType(data["type"])
    data["status"] = Status(data["status"])
    return Operation(**data)


def get(conn: Connection, operation_id: int, shop_id: int | None = None) -> Operation | None:
    """One operation; with ``shop_id``, only if it belongs to that shop."""
    stmt = select(bulk_operations).where(bulk_operations.c.id == operation_id)
    if shop_id is not None:
        stmt = stmt.where(bulk_operations.c.shop_id == shop_id)
    row = conn.execute(stmt).first()
    return from_row(row) if row else None


def get_many(conn: Connection, shop_id: int, ids: list[int]) -> dict[int, Operation]:
    rows = conn.execute(
        select(bulk_operations).where(bulk_operations.c.shop_id == shop_id, bulk_operations.c.id.in_(ids))
    )
    return {row.id: from_row(row) for row in rows}


def insert_operation(conn: Connection, **values: Any) -> Operation:
    values.setdefault("object_count", 0)
    values.setdefault("root_object_count", 0)
    operation_id = inserted_id(conn.execute(insert(bulk_operations).values(**values)))
    found = get(conn, operation_id)
    assert found is not None
    return found


def in_progress_ids(conn: Connection, shop_id: int, op_type: OperationType) -> list[int]:
    """Operations of this type that count against the shop's concurrency limit, oldest first."""
    rows = conn.execute(
        select(bulk_operations.c.id)
        .where(
            bulk_operations.c.shop_id == shop_id,
            bulk_operations.c.type == op_type.value,
            bulk_operations.c.status.in_([s.value for s in IN_PROGRESS]),
        )
        .order_by(bulk_operations.c.id)
    )
    return [r.id for r in rows]


def created_since(conn: Connection, shop_id: int, op_type: OperationType, since: datetime) -> int:
    return conn.execute(
        select(func.count())
        .select_from(bulk_operations)
        .where(
            bulk_operations.c.shop_id == shop_id,
            bulk_operations.c.type == op_type.value,
            bulk_operations.c.created_at > since,
        )
    ).scalar_one()


def latest_of_type(conn: Connection, shop_id: int, op_type: OperationType) -> Operation | None:
    row = conn.execute(
        select(bulk_operations)
        .where(bulk_operations.c.shop_id == shop_id, bulk_operations.c.type == op_type.value)
        .order_by(bulk_operations.c.id.desc())
        .limit(1)
    ).first()
    return from_row(row) if row else None


def unfinished_counts(conn: Connection) -> dict[str, int]:
    """Operations waiting (CREATED), running and canceling: the deployment's queue depths."""
    rows = conn.execute(select(bulk_operations.c.status, func.count()).where(
        bulk_operations.c.status.in_([s.value for s in UNFINISHED])).group_by(bulk_operations.c.status))
    found = {str(status): int(count) for status, count in rows}
    return {s.value: found.get(s.value, 0) for s in (Status.CREATED, Status.RUNNING, Status.CANCELING)}


def unfinished(conn: Connection) -> list[Operation]:
    """Every operation not yet at a terminal status (for recovery after a restart)."""
    rows = conn.execute(
        select(bulk_operations)
        .where(bulk_operations.c.status.in_([s.value for s in UNFINISHED]))
        .order_by(bulk_operations.c.id)
    )
    return [from_row(r) for r in rows]


def stale(conn: Connection, older_than: datetime) -> list[Operation]:
    """Unfinished operations whose worker stopped beating, or that no worker took up in as long (an
    operation still waiting in a queue is not resent at every upkeep)."""
    never_claimed = bulk_operations.c.heartbeat_at.is_(None) & (bulk_operations.c.created_at < older_than)
    rows = conn.execute(
        select(bulk_operations)
        .where(bulk_operations.c.status.in_([s.value for s in UNFINISHED]))
        .where(never_claimed | (bulk_operations.c.heartbeat_at < older_than))
        .order_by(bulk_operations.c.id)
    )
    return [from_row(r) for r in rows]


def expirable(conn: Connection, finished_before: datetime) -> list[int]:
    rows = conn.execute(
        select(bulk_operations.c.id).where(
            bulk_operations.c.status.in_([Status.COMPLETED.value, Status.FAILED.value, Status.CANCELED.value]),
            bulk_operations.c.finished_at < finished_before,
        )
    )
    return [r.id for r in rows]


def claim(conn: Connection, operation_id: int, worker: str, now: datetime, stale_before: datetime) -> bool:
    """Take an unfinished operation for ``worker`` unless another live worker holds it."""
    result = conn.execute(
        update(bulk_operations)
        .where(bulk_operations.c.id == operation_id)
        .where(bulk_operations.c.status.in_([s.value for s in UNFINISHED]))
        .where(
            (bulk_operations.c.worker.is_(None))
            | (bulk_operations.c.worker == worker)
            | (bulk_operations.c.heartbeat_at.is_(None))
            | (bulk_operations.c.heartbeat_at < stale_before)
        )
        .values(worker=worker, heartbeat_at=now)
    )
    return result.rowcount == 1


def hold(conn: Connection, operation_id: int, worker: str | None, now: datetime) -> bool:
    """Beat the heartbeat of an operation ``worker`` still holds; False once another worker has claimed it.

    Called inside a chunk's transaction before its result segment is written: on PostgreSQL the row then stays
    locked until that commit, so a claim arriving meanwhile waits and sees the fresh heartbeat (and fails); on
    SQLite the write lock serializes the two. Either the chunk commits under its holder or it rolls back."""
    result = conn.execute(
        update(bulk_operations)
        .where(bulk_operations.c.id == operation_id, bulk_operations.c.worker == worker)
        .values(heartbeat_at=now)
    )
    return result.rowcount == 1


def holder(conn: Connection, operation_id: int) -> tuple[Status, str | None]:
    """The operation's status and the worker holding it."""
    row = conn.execute(
        select(bulk_operations.c.status, bulk_operations.c.worker).where(bulk_operations.c.id == operation_id)
    ).one()
    return Status(row.status), row.worker


def worker_of(conn: Connection, operation_id: int) -> str | None:
    """The worker holding the operation (None: none, or no such operation)."""
    return conn.execute(select(bulk_operations.c.worker).where(bulk_operations.c.id == operation_id)).scalar()


def shop_domain(conn: Connection, shop_id: int) -> str | None:
    return conn.execute(select(shops.c.domain).where(shops.c.id == shop_id)).scalar()


def release_all(conn: Connection) -> None:
    """Forget every worker's hold (embedded start-up: no other worker can be alive)."""
    conn.execute(
        update(bulk_operations)
        .where(bulk_operations.c.status.in_([s.value for s in UNFINISHED]))
        .values(worker=None, heartbeat_at=None)
    )


def status_of(conn: Connection, operation_id: int) -> Status:
    return Status(
        conn.execute(select(bulk_operations.c.status).where(bulk_operations.c.id == operation_id)).scalar_one()
    )


_CHUNK_COLUMNS = [c for c in bulk_chunks.c if c.name != "result_data"]


def chunks(conn: Connection, operation_id: int) -> list[Chunk]:
    """The operation's chunk records, in order (without their kept result bytes: see :func:`chunk_data`)."""
    rows = conn.execute(
        select(*_CHUNK_COLUMNS).where(bulk_chunks.c.operation_id == operation_id)
        .order_by(bulk_chunks.c.chunk_index)
    )
    return [
        Chunk(r.chunk_index, r.first_line, r.last_line, r.object_count, r.root_object_count, r.segment_key,
              r.segment_size, r.resume_offset, worker=r.worker)
        for r in rows
    ]


def chunk_data(conn: Connection, operation_id: int, index: int) -> bytes | None:
    """The compressed result bytes a chunk record keeps (None: written before they were kept, or discarded
    once the operation's file was composed)."""
    return conn.execute(
        select(bulk_chunks.c.result_data)
        .where(bulk_chunks.c.operation_id == operation_id, bulk_chunks.c.chunk_index == index)
    ).scalar_one_or_none()


def forget_chunk_data(conn: Connection, operation_id: int) -> None:
    """The operation's file is composed: its chunks' kept bytes are no longer needed."""
    conn.execute(update(bulk_chunks).where(bulk_chunks.c.operation_id == operation_id).values(result_data=None))


def record_chunk(conn: Connection, operation_id: int, chunk: Chunk, now: datetime,
                 result_data: bytes | None = None) -> None:
    """The chunk's record (with ``result_data``, its compressed result bytes) and the operation's counters, in
    the caller's transaction; a committed chunk also ends a run of storage failures."""
    conn.execute(
        insert(bulk_chunks).values(
            result_data=result_data,
            operation_id=operation_id,
            chunk_index=chunk.index,
            first_line=chunk.first_line,
            last_line=chunk.last_line,
            object_count=chunk.object_count,
            root_object_count=chunk.root_object_count,
            segment_key=chunk.segment_key,
            segment_size=chunk.segment_size,
            resume_offset=chunk.resume_offset,
            failed_lines=chunk.failed_lines,
            duration_ms=chunk.duration_ms,
            recorded_at=now,
            worker=chunk.worker,
        )
    )
    conn.execute(
        update(bulk_operations)
        .where(bulk_operations.c.id == operation_id)
        .values(
            object_count=bulk_operations.c.object_count + chunk.object_count,
            root_object_count=bulk_operations.c.root_object_count + chunk.root_object_count,
            heartbeat_at=now,
            retries=0,
            retry_reason=None,
        )
    )


def set_input_lines(conn: Connection, operation_id: int, lines: int) -> None:
    conn.execute(update(bulk_operations).where(bulk_operations.c.id == operation_id).values(input_lines=lines))


@dataclass(frozen=True)
class ChunkMark:
    """Where an operation stood when a chunk was recorded: lines (an import's physical lines, an export's
    objects) done through it, and when."""

    lines_done: int
    recorded_at: datetime | None


def recent_marks(conn: Connection, operation_id: int, count: int) -> list[ChunkMark]:
    """The operation's last ``count`` chunk marks, oldest first (read from the chunk records' primary key)."""
    c = bulk_chunks.c
    rows = conn.execute(
        select(c.last_line, c.recorded_at).where(c.operation_id == operation_id)
        .order_by(c.chunk_index.desc()).limit(count)
    ).all()
    return [ChunkMark(row.last_line + 1, row.recorded_at) for row in reversed(rows)]


def chunk_recorded(conn: Connection, operation_id: int, index: int) -> bool:
    c = bulk_chunks.c
    found = conn.execute(select(c.chunk_index).where(c.operation_id == operation_id, c.chunk_index == index))
    return found.first() is not None


def chunk_count(conn: Connection, operation_id: int) -> int:
    return conn.execute(
        select(func.count()).select_from(bulk_chunks).where(bulk_chunks.c.operation_id == operation_id)
    ).scalar_one()


def failed_line_count(conn: Connection, operation_id: int) -> int:
    """Import lines whose results carried errors, over the operation's chunk records."""
    return conn.execute(
        select(func.coalesce(func.sum(bulk_chunks.c.failed_lines), 0)).where(bulk_chunks.c.operation_id == operation_id)
    ).scalar_one()


def wait_to_retry(conn: Connection, operation_id: int, worker: str | None, now: datetime, reason: str,
                  finishing: tuple[str, str | None] | None = None) -> bool:
    """``worker`` lets go of the operation, which stays unfinished with ``reason``: the upkeep resubmits it
    once its heartbeat (now) is stale. With ``finishing``, only its file is left to compose, to reach that
    (status, error code). False if another worker holds it meanwhile."""
    values: dict[str, Any] = {"worker": None, "heartbeat_at": now, "retries": bulk_operations.c.retries + 1,
                              "retry_reason": reason}
    if finishing is not None:
        values.update(finishing_status=finishing[0], finishing_error_code=finishing[1])
    result = conn.execute(
        update(bulk_operations)
        .where(bulk_operations.c.id == operation_id, bulk_operations.c.worker == worker)
        .where(bulk_operations.c.status.in_([s.value for s in UNFINISHED]))
        .values(**values)
    )
    return result.rowcount == 1


def retrying(conn: Connection) -> list[Operation]:
    """Unfinished operations waiting to retry after a storage failure."""
    rows = conn.execute(
        select(bulk_operations)
        .where(bulk_operations.c.status.in_([s.value for s in UNFINISHED]), bulk_operations.c.retries > 0)
        .order_by(bulk_operations.c.id)
    )
    return [from_row(r) for r in rows]


def window_start(now: datetime) -> datetime:
    return now - timedelta(hours=24)


def lines_done(conn: Connection, operation_id: int) -> int:
    """Lines (an import's file lines, an export's top-level rows) its recorded chunks cover (summed: chunks
    shared by several workers are recorded out of order)."""
    c = bulk_chunks.c
    covered = func.coalesce(func.sum(c.last_line - c.first_line + 1), 0)
    return int(conn.execute(select(covered).where(c.operation_id == operation_id)).scalar_one())


def unfinished_of_shop(conn: Connection, shop_id: int, op_type: OperationType | None = None,
                       operation_id: int | None = None) -> list[Operation]:
    stmt = select(bulk_operations).where(bulk_operations.c.shop_id == shop_id,
                                         bulk_operations.c.status.in_([s.value for s in UNFINISHED]))
    if op_type is not None:
        stmt = stmt.where(bulk_operations.c.type == op_type.value)
    if operation_id is not None:
        stmt = stmt.where(bulk_operations.c.id == operation_id)
    return [from_row(r) for r in conn.execute(stmt.order_by(bulk_operations.c.id))]
