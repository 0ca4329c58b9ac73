"""The request log the control plane shows (``GET /__bulkops/requests``): one row per call of the Shopify
endpoint, in the database so every server process's calls are in one list, bounded to the newest
``REQUEST_LOG_SIZE``. Rows hold no token and no body (variables truncated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import request_log

REQUEST_LOG_SIZE = 1000


@dataclass(frozen=True)
class LoggedRequest:
    at: datetime
    shop: str | None
    api_version: str | None
    kind: str
    """``query``, ``mutation``, ``subscription``, or ``refused`` (no document ran: a bad token, body, syntax)."""
    operation_name: str | None
    root_fields: list[str]
    variables: str | None
    status: int
    error_codes: list[str]
    duration_ms: int
    cost: int | None
    id: int | None = None


def record(conn: Connection, entry: LoggedRequest, keep: int = REQUEST_LOG_SIZE) -> int:
    """Add a row and drop those past the newest ``keep``."""
    values = {k: v for k, v in entry.__dict__.items() if k != "id"}
    new_id = inserted_id(conn.execute(insert(request_log).values(**values)))
    conn.execute(delete(request_log).where(request_log.c.id <= new_id - keep))
    return new_id


def recent(conn: Connection, limit: int = REQUEST_LOG_SIZE, shop: str | None = None) -> list[LoggedRequest]:
    """The newest ``limit`` calls (of one shop's domain, or all), oldest first: the order they came in."""
    stmt = select(request_log).order_by(request_log.c.id.desc()).limit(limit)
    if shop is not None:
        stmt = stmt.where(request_log.c.shop == shop)
    rows: list[Any] = list(conn.execute(stmt))
    return [LoggedRequest(r.at, r.shop, r.api_version, r.kind, r.operation_name, list(r.root_fields), r.variables,
                          r.status, list(r.error_codes), r.duration_ms, r.cost, r.id) for r in reversed(rows)]


def clear(conn: Connection) -> int:
    return conn.execute(delete(request_log)).rowcount
