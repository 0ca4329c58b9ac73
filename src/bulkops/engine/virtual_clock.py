"""The deployment's virtual clock: real time plus an offset kept in the database, so a test moves every process
(``serve``, Celery workers) days ahead at once: URL expiry and ``EXPIRED``, time limits, webhook retries and
daily caps all read the injected clock, and this is the clock they are given."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from bulkops.clock import Clock
from bulkops.db.database import Database
from bulkops.db.tables import virtual_clock

ROW_ID = 1
REFRESH_S = 0.5
"""How long a process trusts the offset it read: another process's change reaches it within this."""


class MovedBackwards(ValueError):
    """Time set before the deployment's current time without ``force``: finished operations would look
    younger than they are, and a refused expiry could come back to life."""


class VirtualClock:
    """``base`` plus the stored offset, read at most every ``refresh_s`` (monotonic) and at once after
    :meth:`forget` (this process changed it)."""

    def __init__(self, base: Clock, db: Database, refresh_s: float = REFRESH_S) -> None:
        self.base = base
        self.db = db
        self.refresh_s = refresh_s
        self._offset = timedelta(0)
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self.base.now() + self.offset()

    def offset(self) -> timedelta:
        with self._lock:
            due = self._read_at is None or time.monotonic() - self._read_at >= self.refresh_s
        if due:
            with self.db.read() as conn:
                seconds = stored_offset(conn)
            with self._lock:
                self._offset, self._read_at = timedelta(seconds=seconds), time.monotonic()
        return self._offset

    def forget(self) -> None:
        """Read the offset again on the next :meth:`now`."""
        with self._lock:
            self._read_at = None


@dataclass(frozen=True)
class ClockState:
    now: datetime
    offset_seconds: float

    @property
    def virtual(self) -> bool:
        return self.offset_seconds != 0


def stored_offset(conn: Connection) -> float:
    return conn.execute(select(virtual_clock.c.offset_seconds).where(virtual_clock.c.id == ROW_ID)).scalar() or 0.0


def store_offset(conn: Connection, seconds: float, real_now: datetime) -> None:
    changed = conn.execute(update(virtual_clock).where(virtual_clock.c.id == ROW_ID)
                           .values(offset_seconds=seconds, updated_at=real_now)).rowcount
    if not changed:
        conn.execute(insert(virtual_clock).values(id=ROW_ID, offset_seconds=seconds, updated_at=real_now))


def clear_offset(conn: Connection) -> None:
    conn.execute(delete(virtual_clock))


def advance(conn: Connection, real_now: datetime, by: timedelta, force: bool = False) -> ClockState:
    """Move the deployment's time by ``by`` (backwards only with ``force``)."""
    if by < timedelta(0) and not force:
        raise MovedBackwards("the clock only moves forward: pass \"force\": true to move it back")
    seconds = stored_offset(conn) + by.total_seconds()
    store_offset(conn, seconds, real_now)
    return ClockState(real_now + timedelta(seconds=seconds), seconds)


def set_time(conn: Connection, real_now: datetime, to: datetime, force: bool = False) -> ClockState:
    """Make the deployment's time ``to`` now (earlier than its current time only with ``force``)."""
    current = real_now + timedelta(seconds=stored_offset(conn))
    return advance(conn, real_now, to - current, force)


def state(conn: Connection, real_now: datetime) -> ClockState:
    seconds = stored_offset(conn)
    return ClockState(real_now + timedelta(seconds=seconds), seconds)


def base_clock(clock: Clock) -> Clock:
    """The real (or test) clock under a virtual one: what the offset is measured from."""
    return clock.base if isinstance(clock, VirtualClock) else clock


def forget_offset(clock: Clock) -> None:
    """After this process changed the offset, its clock reads it again at once."""
    if isinstance(clock, VirtualClock):
        clock.forget()
