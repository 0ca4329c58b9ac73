"""The BulkOperation lifecycle, declared once: statuses, allowed transitions, and the one way to move."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, update

from bulkops.db.tables import bulk_operations


class Status(StrEnum):
    CREATED = "CREATED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"


class OperationType(StrEnum):
    QUERY = "QUERY"
    MUTATION = "MUTATION"


class ErrorCode(StrEnum):
    ACCESS_DENIED = "ACCESS_DENIED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    TIMEOUT = "TIMEOUT"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.CREATED: frozenset({Status.RUNNING, Status.CANCELING, Status.FAILED}),
    Status.RUNNING: frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELING}),
    Status.CANCELING: frozenset({Status.CANCELED, Status.FAILED}),
    Status.COMPLETED: frozenset({Status.EXPIRED}),
    Status.FAILED: frozenset({Status.EXPIRED}),
    Status.CANCELED: frozenset({Status.EXPIRED}),
    Status.EXPIRED: frozenset(),
}

IN_PROGRESS = frozenset({Status.CREATED, Status.RUNNING})
"""Statuses that count toward the concurrency limit (CANCELING does not: UNCONFIRMED at Shopify; a client
that cancels and starts again at once would otherwise trip)."""

UNFINISHED = frozenset({Status.CREATED, Status.RUNNING, Status.CANCELING})
TERMINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELED, Status.EXPIRED})


class IllegalTransition(RuntimeError):
    pass


def sources_of(target: Status) -> frozenset[Status]:
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def transition(conn: Connection, operation_id: int, target: Status, **fields: Any) -> bool:
    """Move an operation to ``target`` if its current status allows it; returns whether it moved.

    The guard is in the UPDATE itself, so two racing writers cannot both win.
    """
    result = conn.execute(
        update(bulk_operations)
        .where(bulk_operations.c.id == operation_id)
        .where(bulk_operations.c.status.in_([s.value for s in sources_of(target)]))
        .values(status=target.value, **fields)
    )
    return result.rowcount == 1
