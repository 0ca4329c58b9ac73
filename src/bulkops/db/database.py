"""The database handle: one engine, read and write transactions, migrations on start.

SQLite runs in WAL mode; write transactions open with ``BEGIN IMMEDIATE`` so a writer waits for the
lock (busy timeout) instead of failing when it upgrades from reading. PostgreSQL needs none of that.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

_MIGRATIONS = Path(__file__).parent / "migrations"


class FairLock:
    """A first-come, first-served lock. SQLite's busy handler is not fair: a worker committing chunk after
    chunk would re-take the write lock before a waiting request thread wakes up, starving it (a cancel
    would wait for the whole import). Within one process, writers queue here in arrival order."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._condition:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._condition.wait_for(lambda: self._serving == ticket)

    def __exit__(self, *_: object) -> None:
        with self._condition:
            self._serving += 1
            self._condition.notify_all()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.migration: tuple[str | None, str | None] | None = None
        """(revision before, revision after) once :meth:`migrate` ran a migration: the start banner says so."""
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine = self._create_engine(url)
        self._writers = FairLock() if self.is_sqlite else None

    def _create_engine(self, url: str) -> Engine:
        if not self.is_sqlite:
            return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: object) -> None:
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that will write: committed on success, rolled back on error."""
        if self._writers is None:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        with self._writers, self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def migrate(self, **attributes: Any) -> bool:
        """Bring the schema to the newest Alembic revision; whether a migration ran. ``attributes`` reach the
        migrations (``context.config.attributes``). Alembic's step-by-step lines stay out of the log (a new
        database runs ten of them before the banner, and a configuration error must read as one line)."""
        logging.getLogger("alembic").setLevel(logging.WARNING)
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as conn:
            before = self._revision(conn)
            if before == head:
                conn.rollback()
                return False
            config.attributes.update(attributes, connection=conn)
            command.upgrade(config, "head")
            if conn.in_transaction():
                conn.commit()
        self.migration = (before, head)
        return True

    def revision(self) -> str | None:
        """The schema's Alembic revision (None: not migrated)."""
        with self.engine.connect() as conn:
            return self._revision(conn)

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def dispose(self) -> None:
        self.engine.dispose()
