"""Worker heartbeats: a row per worker process, beaten at most once per interval on the injected clock, removed on
a clean stop, left to go stale on a crash (and cleared a day later)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bulkops.app.bootstrap import open_database
from bulkops.clock import FrozenClock
from bulkops.config import Settings
from bulkops.db.database import Database
from bulkops.db.tables import bulk_workers
from bulkops.engine.heartbeats import Heartbeat, LiveWorkers, live_workers


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path))
    yield database
    database.dispose()


def alive(db: Database, clock: FrozenClock, within_s: float = 5) -> LiveWorkers:
    with db.read() as conn:
        return live_workers(conn, clock.now() - timedelta(seconds=within_s))


def names(db: Database) -> list[str]:
    with db.read() as conn:
        return sorted(conn.execute(select(bulk_workers.c.name)).scalars())


def test_a_worker_is_alive_while_it_beats_and_gone_when_it_stops(db: Database) -> None:
    clock = FrozenClock()
    heartbeat = Heartbeat(db, clock, "worker-a", "celery", interval_s=1)
    heartbeat.beat()
    registered = alive(db, clock)
    clock.advance(4)
    still = alive(db, clock)
    clock.advance(2)
    stale = alive(db, clock)
    heartbeat.beat()
    back = alive(db, clock)
    heartbeat.forget()

    assert registered == LiveWorkers(1, clock.now() - timedelta(seconds=6))
    assert still.count == 1 and stale.count == 0 and back == LiveWorkers(1, clock.now())
    assert names(db) == []


def test_beats_within_the_interval_write_nothing(db: Database) -> None:
    clock = FrozenClock()
    heartbeat = Heartbeat(db, clock, "worker-a", "inprocess", interval_s=10)
    heartbeat.beat()
    first = alive(db, clock).last_beat
    clock.advance(5)
    heartbeat.beat()

    assert alive(db, clock, within_s=60).last_beat == first


def test_a_crashed_workers_row_is_cleared_when_another_registers_a_day_later(db: Database) -> None:
    clock = FrozenClock()
    Heartbeat(db, clock, "crashed", "celery").beat()
    clock.advance(3600)
    Heartbeat(db, clock, "restarted-soon", "celery").beat()
    soon = names(db)
    clock.advance(24 * 3600)
    Heartbeat(db, clock, "restarted-later", "celery").beat()

    assert soon == ["crashed", "restarted-soon"]
    assert names(db) == ["restarted-later", "restarted-soon"]
