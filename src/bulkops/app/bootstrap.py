"""The composition root: settings in, a migrated database, a file store, an engine and its workers out."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, OperationalError

from bulkops.app.deployment import (
    NAME_THE_DATABASE,
    Deployment,
    check_key,
    check_recorded,
    display_url,
    join_deployment,
    secret_box,
)
from bulkops.clock import Clock, SystemClock
from bulkops.config import ConfigError, Settings
from bulkops.db.database import Database
from bulkops.db.tables import server_secrets
from bulkops.domain.shops.secrets import SecretBox
from bulkops.engine.emulation import Emulation
from bulkops.engine.engine import BulkEngine
from bulkops.engine.executor import ChunkExecutor, HelperPool
from bulkops.engine.heartbeats import live_workers
from bulkops.engine.operations import Operation
from bulkops.engine.queue import WorkQueue
from bulkops.engine.runtime import Runtime
from bulkops.engine.virtual_clock import VirtualClock
from bulkops.graphql.execution import line_executor_factory, warm_helper
from bulkops.graphql.planner.export_plan import plan_factory
from bulkops.graphql.schema import build_schemas_in_background, schema_for_version
from bulkops.storage.base import FileStore
from bulkops.storage.local import LocalFileStore
from bulkops.storage.signing import Signer
from bulkops.webhooks.wiring import install_webhooks
from bulkops.workers.helpers import HelperProcesses
from bulkops.workers.inprocess import InProcessQueue


def signing_secret(db: Database, box: SecretBox) -> str:
    """The server's URL-signing secret, made once and kept in the database sealed with the deployment's key (when
    processes starting together race to make it, the loser reads the winner's)."""
    wanted = select(server_secrets.c.value).where(server_secrets.c.name == URL_SIGNING)
    try:
        with db.write() as conn:
            row = conn.execute(wanted).first()
            if row:
                return _opened(box, row.value)
            value = secrets.token_hex(32)
            conn.execute(insert(server_secrets).values(name=URL_SIGNING, value=box.seal(value)))
            return value
    except IntegrityError:
        with db.read() as conn:
            return _opened(box, conn.execute(wanted).scalar_one())


def _opened(box: SecretBox, sealed: str) -> str:
    try:
        return box.open(sealed)
    except ValueError as exc:
        raise ConfigError("the database's secrets were sealed with another key than this process's",
                          "give it the deployment's BULKOPS_SECRET_KEY (or its <data dir>/secret.key)") from exc


URL_SIGNING = "url-signing"


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


def open_database(settings: Settings, box: SecretBox | None = None) -> Database:
    """The database, migrated (a migration that seals existing secrets needs ``box``, the deployment's key). A
    database that cannot be reached or opened is a ConfigError saying which and how to fix it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        db = Database(settings.db_url)
        with migration_lock(db):
            db.migrate(secret_box=box)
    except (ArgumentError, ImportError, OperationalError, InterfaceError) as exc:
        raise database_error(settings.db_url, exc) from exc
    return db


def open_deployment(settings: Settings, *, named: bool = True) -> tuple[Database, SecretBox, Deployment]:
    """For the admin commands (shop, seed, webhooks): the database of a deployment a ``serve`` or ``worker`` made,
    never a new one (``bulkops shop create`` once wrote into a fresh ./data/bulkops.db while the server ran on
    PostgreSQL, and its token got 401), with that deployment's key. Not ``named`` (the ./data default): only
    while a process of the deployment runs on it (``refuse_idle_default``)."""
    sqlite_file = settings.data_dir / "bulkops.db"
    if settings.database_url is None and not sqlite_file.is_file():
        raise ConfigError(f"no bulkops database at {sqlite_file.resolve()}", NAME_THE_DATABASE)
    if not named:
        refuse_idle_default(settings, sqlite_file)
    try:
        box: SecretBox | None = secret_box(settings, create=False)
        no_key = None
    except ConfigError as exc:
        box, no_key = None, exc
    db = open_database(settings, box)
    found = check_key(db, settings, box)
    if box is None:
        assert no_key is not None
        raise no_key
    return db, box, found


def refuse_idle_default(settings: Settings, sqlite_file: Path) -> None:
    """No database was named, so an admin command would act on ./data/bulkops.db: go on only while a ``serve``
    or ``worker`` runs on it (the quick start's server, in another terminal). An idle one is most likely left
    from an earlier try while the deployment runs elsewhere, and a shop made there gets 401 from the real
    server; so it is refused, naming the file, before it is migrated or written."""
    if _live_workers(settings) > 0:
        return
    raise ConfigError(f"no database named, and the default {sqlite_file.resolve()} has no bulkops serve or worker "
                      "running on it", f"to use that file, name it (--data-dir {settings.data_dir} or "
                      "BULKOPS_DATA_DIR); for your server's database, give --database-url / BULKOPS_DATABASE_URL")


def _live_workers(settings: Settings) -> int:
    """Processes whose heartbeat is fresh on the database, read without migrating it."""
    db = Database(settings.db_url)
    try:
        with db.read() as conn:
            alive_after = SystemClock().now() - timedelta(seconds=settings.worker_stale_s)
            return live_workers(conn, alive_after).count
    except OperationalError:  # a database from before heartbeats were kept: no process beats on it
        return 0
    finally:
        db.dispose()


def database_error(url: str, exc: Exception) -> ConfigError:
    """What went wrong opening the database, in one line, and the fix."""
    shown = display_url(url)
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = "--database-url / BULKOPS_DATABASE_URL / database_url in bulkops.toml"
    if isinstance(exc, ArgumentError):
        return ConfigError(f"the database URL {shown!r} is not one SQLAlchemy understands", f"correct {where}")
    if isinstance(exc, ImportError):
        return ConfigError(f"the driver for {shown} is not installed ({exc})", "pip install 'bulkops[scale]'")
    if "does not exist" in detail and "database" in detail:
        name = make_url(url).database
        return ConfigError(f"database {name!r} does not exist ({shown})",
                           f"create it (createdb {name}) or correct {where}")
    if "authentication failed" in detail or "password" in detail:
        return ConfigError(f"the database refused the login ({shown}): {detail}",
                           f"correct the user and password in {where}")
    if url.startswith("sqlite"):
        return ConfigError(f"cannot open the SQLite database {shown}: {detail}",
                           "give a writable --data-dir / BULKOPS_DATA_DIR")
    return ConfigError(f"cannot reach the database {shown}: {detail}",
                       f"start the database server or correct {where}")


def build_store(settings: Settings, signer: Signer) -> FileStore:
    """Local files under the data dir, or an S3-compatible bucket when ``storage_url`` names one (checked now:
    a bucket that cannot be used is a ConfigError at start, not a failed operation later)."""
    if not settings.storage_url:
        return LocalFileStore(settings.files_dir, signer)
    from bulkops.storage.s3 import S3FileStore, S3Location, parse_storage_url

    try:
        bucket = parse_storage_url(settings.storage_url)
    except ValueError as exc:
        raise ConfigError(str(exc), "use --storage s3://BUCKET / BULKOPS_STORAGE_URL") from exc
    store = S3FileStore(S3Location(bucket, settings.s3_endpoint_url, settings.s3_addressing_style,
                                    settings.s3_public_endpoint_url))
    try:
        store.check()
    except RuntimeError as exc:
        raise storage_error(bucket, settings.s3_endpoint_url, exc.__cause__ or exc) from exc
    return store


def storage_error(bucket: str, endpoint: str | None, exc: BaseException) -> ConfigError:
    """Why the bucket cannot be used, in one line, and the fix (credentials, the bucket, the endpoint)."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    at = endpoint or "AWS"
    if isinstance(exc, NoCredentialsError):
        return ConfigError(f"no AWS credentials for the S3 bucket {bucket!r} at {at}",
                           "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
    if isinstance(exc, EndpointConnectionError):
        return ConfigError(f"cannot reach the S3 endpoint {at}",
                           "start the S3 server or correct --s3-endpoint-url / BULKOPS_S3_ENDPOINT_URL")
    code = str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""
    if code in ("404", "NoSuchBucket"):
        return ConfigError(f"the S3 bucket {bucket!r} does not exist at {at}",
                           f"create it (aws s3 mb s3://{bucket}) or correct --storage / BULKOPS_STORAGE_URL")
    if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return ConfigError(f"S3 refused these credentials for the bucket {bucket!r} at {at} ({code})",
                           "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket's policy")
    return ConfigError(f"the S3 bucket {bucket!r} at {at} cannot be used: {exc}",
                       "check --storage, --s3-endpoint-url and the AWS_* credentials")


def check_queue(settings: Settings) -> None:
    """The queue's Redis answers, or a ConfigError (a worker would otherwise retry connecting forever)."""
    if not settings.queue_url:
        return
    import redis

    shown = display_url(settings.queue_url)
    try:
        client = redis.Redis.from_url(settings.queue_url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"cannot reach the queue at {shown}: {exc}",
                          "start Redis or correct --queue-url / BULKOPS_QUEUE_URL") from exc


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


def build_runtime(settings: Settings, clock: Clock | None = None, *, reconfigure: bool = False) -> Runtime:
    """Everything wired, background work not yet started (call ``runtime.start()``). Settings that cannot work
    (database, bucket, queue, a deployment run otherwise) raise ConfigError before anything starts;
    ``reconfigure`` records this process's mode and storage as the deployment's (none in flight)."""
    box = secret_box(settings)
    db = open_database(settings, box)
    clock = VirtualClock(clock or SystemClock(), db)
    mine = Deployment.of(settings, box)
    check_recorded(db, mine, reconfigure)
    signer = Signer(signing_secret(db, box))
    store = build_store(settings, signer)
    check_queue(settings)
    join_deployment(db, mine, clock.now(), reconfigure)
    engine = BulkEngine(db=db, store=store, clock=clock, settings=settings, executor_factory=_not_wired_yet,
                        emulation=Emulation(db, clock) if settings.control_plane else None)
    queue = work_queue(engine, settings)
    runtime = Runtime(settings=settings, db=db, store=store, signer=signer, clock=clock, engine=engine, queue=queue,
                      helpers=import_helpers(settings, db))
    runtime.deliverer = install_webhooks(engine, settings, box.open)
    engine.executor_factory = line_executor_factory(runtime)
    engine.export_plans = plan_factory(runtime, schema_for_version)
    engine.helpers = runtime.helpers
    build_schemas_in_background()
    return runtime
