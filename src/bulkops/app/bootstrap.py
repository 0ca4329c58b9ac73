"""The composition root: settings in, a migrated database, a file store, an engine and its workers out."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from bulkops.clock import Clock, SystemClock
from bulkops.config import Settings
from bulkops.db.database import Database
from bulkops.db.tables import server_secrets
from bulkops.engine.engine import BulkEngine
from bulkops.engine.executor import ChunkExecutor, HelperPool
from bulkops.engine.operations import Operation
from bulkops.engine.queue import WorkQueue
from bulkops.engine.runtime import Runtime
from bulkops.graphql.execution import line_executor_factory, warm_helper
from bulkops.graphql.planner.export_plan import plan_factory
from bulkops.graphql.schema import schema_for_generation, schema_for_version
from bulkops.storage.base import FileStore
from bulkops.storage.local import LocalFileStore
from bulkops.storage.signing import Signer
from bulkops.webhooks.wiring import install_webhooks
from bulkops.workers.helpers import HelperProcesses
from bulkops.workers.inprocess import InProcessQueue


def signing_secret(db: Database) -> str:
    """The server's URL-signing secret, made once and kept in the database (when processes starting together
    race to make it, the loser reads the winner's)."""
    try:
        with db.write() as conn:
            row = conn.execute(select(server_secrets.c.value).where(server_secrets.c.name == "url-signing")).first()
            if row:
                return row.value
            value = secrets.token_hex(32)
            conn.execute(insert(server_secrets).values(name="url-signing", value=value))
            return value
    except IntegrityError:
        with db.read() as conn:
            return conn.execute(
                select(server_secrets.c.value).where(server_secrets.c.name == "url-signing")).scalar_one()


MIGRATION_LOCK = 0x62756C6B6F7073
"""PostgreSQL advisory lock key ("bulkops") held while migrating."""


@contextmanager
def migration_lock(db: Database) -> Iterator[None]:
    """A server and its workers starting together on PostgreSQL migrate one at a time (the others then find
    the schema current); SQLite needs no lock here."""
    if db.is_sqlite:
        yield
        return
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()


def open_database(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    with migration_lock(db):
        db.migrate()
    return db


def build_store(settings: Settings, signer: Signer) -> FileStore:
    """Local files under the data dir, or an S3-compatible bucket when ``storage_url`` names one."""
    if not settings.storage_url:
        return LocalFileStore(settings.files_dir, signer)
    from bulkops.storage.s3 import S3FileStore, S3Location, parse_storage_url

    store = S3FileStore(S3Location(parse_storage_url(settings.storage_url), settings.s3_endpoint_url,
                                   settings.s3_addressing_style))
    store.check()
    return store


def work_queue(engine: BulkEngine, settings: Settings) -> WorkQueue:
    """In-process threads by default; Celery workers (``bulkops worker``) when a queue URL is set."""
    if settings.queue_url:
        from bulkops.workers.celery_queue import CeleryQueue

        return CeleryQueue(engine, settings)
    return InProcessQueue(engine, workers=settings.workers)


def _not_wired_yet(op: Operation, helpers: HelperPool | None) -> ChunkExecutor:
    """The engine's executor until build_runtime wires the real one (it needs the runtime, which needs the engine)."""
    raise RuntimeError("the bulk engine's line executor is not wired yet")


def import_helpers(settings: Settings, db: Database) -> HelperProcesses | None:
    """Helper processes for big imports: only where they are used (SQLite: the per-line path runs on other
    databases, whose several writers need no help)."""
    if settings.helper_processes <= 0 or not db.is_sqlite:
        return None
    return HelperProcesses(settings.helper_processes, warm_helper)


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Everything wired, background work not yet started (call ``runtime.start()``)."""
    db = open_database(settings)
    signer = Signer(signing_secret(db))
    store = build_store(settings, signer)
    clock = clock or SystemClock()
    engine = BulkEngine(db=db, store=store, clock=clock, settings=settings, executor_factory=_not_wired_yet)
    queue = work_queue(engine, settings)
    runtime = Runtime(settings=settings, db=db, store=store, signer=signer, clock=clock, engine=engine, queue=queue,
                      helpers=import_helpers(settings, db))
    runtime.deliverer = install_webhooks(engine, settings)
    engine.executor_factory = line_executor_factory(runtime)
    engine.export_plans = plan_factory(runtime, schema_for_version)
    engine.helpers = runtime.helpers
    schema_for_generation(True)
    schema_for_generation(False)
    return runtime
