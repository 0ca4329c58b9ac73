"""The virtual clock: the offset lives in the database, so a clock in another process (here: another clock on
the same database) follows a change within its refresh, and at once after ``forget``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bulkops.clock import FrozenClock
from bulkops.db.database import Database
from bulkops.engine import virtual_clock as vc

START = datetime(2026, 1, 1, 12)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'clock.db'}")
    database.migrate()
    return database


def test_every_clock_on_the_database_follows_an_advance(db: Database) -> None:
    real = FrozenClock(START)
    here, elsewhere = vc.VirtualClock(real, db), vc.VirtualClock(real, db, refresh_s=0)
    assert here.now() == elsewhere.now() == START

    with db.write() as conn:
        vc.advance(conn, real.now(), timedelta(days=8))
    stale = here.now()
    here.forget()

    assert stale == START  # read less than refresh_s ago: not yet
    assert here.now() == elsewhere.now() == START + timedelta(days=8)
    real.advance(60)
    assert elsewhere.now() == START + timedelta(days=8, seconds=60)


def test_set_moves_to_an_instant_and_refuses_going_back_unless_forced(db: Database) -> None:
    real = FrozenClock(START)
    with db.write() as conn:
        moved = vc.set_time(conn, real.now(), START + timedelta(hours=5))
        with pytest.raises(vc.MovedBackwards):
            vc.set_time(conn, real.now(), START + timedelta(hours=1))
        back = vc.set_time(conn, real.now(), START + timedelta(hours=1), force=True)
        vc.clear_offset(conn)
        cleared = vc.state(conn, real.now())

    assert (moved.now, moved.offset_seconds) == (START + timedelta(hours=5), 5 * 3600)
    assert back.offset_seconds == 3600 and cleared == vc.ClockState(START, 0.0) and not cleared.virtual
