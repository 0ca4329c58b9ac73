"""Worker heartbeats: every process that runs bulk operations beats its row in ``bulk_workers`` on the
injected clock, so any process (``/readyz``) can tell whether operations waiting in CREATED have a live
worker to run them, whichever process or host that worker is on."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from bulkops.clock import Clock
from bulkops.db.database import Database
from bulkops.db.tables import bulk_workers

log = logging.getLogger(__name__)

FORGOTTEN_AFTER = timedelta(days=1)
"""A crashed worker's row is removed when another worker registers this long after its last beat."""


@dataclass(frozen=True)
class WorkerRow:
    name: str
    kind: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


def registered_workers(conn: Connection) -> list[WorkerRow]:
    """Every worker with a row (live or stale), newest heartbeat first."""
    rows = conn.execute(select(bulk_workers).order_by(bulk_workers.c.heartbeat_at.desc(), bulk_workers.c.name))
    return [WorkerRow(r.name, r.kind, r.host, r.pid, r.started_at, r.heartbeat_at) for r in rows]


@dataclass(frozen=True)
class LiveWorkers:
    count: int
    last_beat: datetime | None
    """The newest heartbeat of any worker, live or not (None: no worker ever beat)."""


class Heartbeat:
    """One worker process's row: beaten at most every ``interval_s`` (an upkeep tick calls :meth:`beat`)."""

    def __init__(self, db: Database, clock: Clock, name: str, kind: str, interval_s: float = 1.0) -> None:
        self.db = db
        self.clock = clock
        self.name = name
        self.kind = kind
        self.interval_s = interval_s
        self._last: datetime | None = None

    def beat(self) -> None:
        now = self.clock.now()
        if self._last is not None and now - self._last < timedelta(seconds=self.interval_s):
            return
        with self.db.write() as conn:
            if self._last is None or not _touch(conn, self.name, now):
                _register(conn, self.name, self.kind, now)
        self._last = now

    def forget(self) -> None:
        """A clean stop: the row goes at once (a crashed worker's row just goes stale). Never raises: a stop
        goes on when the database is gone, and the row then goes stale as a crashed worker's does."""
        try:
            with self.db.write() as conn:
                conn.execute(delete(bulk_workers).where(bulk_workers.c.name == self.name))
        except Exception:
            log.exception("could not remove the heartbeat of worker %s", self.name)
        self._last = None


def _touch(conn: Connection, name: str, now: datetime) -> bool:
    result = conn.execute(update(bulk_workers).where(bulk_workers.c.name == name).values(heartbeat_at=now))
    return result.rowcount == 1


def _register(conn: Connection, name: str, kind: str, now: datetime) -> None:
    conn.execute(delete(bulk_workers).where(
        (bulk_workers.c.name == name) | (bulk_workers.c.heartbeat_at < now - FORGOTTEN_AFTER)))
    conn.execute(insert(bulk_workers).values(name=name, kind=kind, host=socket.gethostname(), pid=os.getpid(),
                                             started_at=now, heartbeat_at=now))


def live_workers(conn: Connection, alive_after: datetime) -> LiveWorkers:
    """Workers whose last heartbeat is newer than ``alive_after``."""
    count = conn.execute(
        select(func.count()).select_from(bulk_workers).where(bulk_workers.c.heartbeat_at > alive_after)
    ).scalar_one()
    last = conn.execute(select(func.max(bulk_workers.c.heartbeat_at))).scalar_one()
    return LiveWorkers(count, last)
