"""The deployment a database belongs to, and the checks that keep every process of it alike.

The first ``serve`` or ``worker`` on a database records how the deployment runs: embedded (operations run in the
server's own threads) or queue (``bulkops worker`` processes run them off Redis), where its files live, and which
key seals its secrets. A later process started otherwise refuses to run, saying what differs: a ``serve`` without
the queue would take a worker's running operations for its own, a worker with other storage would fail every
operation, a process with another key would seal secrets nobody else can open.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError

from bulkops.config import ConfigError, Settings
from bulkops.db.database import Database
from bulkops.db.tables import bulk_operations, deployment
from bulkops.domain.shops.secrets import SecretBox

KEY_FILE = "secret.key"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deployment:
    mode: str
    """``embedded`` or ``queue``."""
    storage: str
    """``local`` or the ``s3://bucket`` URL."""
    secret_key_fingerprint: str

    @staticmethod
    def of(settings: Settings, box: SecretBox) -> Deployment:
        return Deployment("queue" if settings.queue_url else "embedded", settings.storage_url or "local",
                          box.fingerprint)

    def differences(self, recorded: Deployment) -> list[str]:
        found = []
        if self.mode != recorded.mode:
            found.append(f"the deployment runs {recorded.mode} (operations "
                         f"{'in bulkops worker processes off the queue' if recorded.mode == 'queue' else 'in the server'}"
                         f"), this process {self.mode}")
        if self.storage != recorded.storage:
            found.append(f"the deployment's files are in {recorded.storage}, this process's in {self.storage}")
        if self.secret_key_fingerprint != recorded.secret_key_fingerprint:
            found.append(f"the deployment's secret key is {recorded.secret_key_fingerprint[:8]}…, this process's "
                         f"{self.secret_key_fingerprint[:8]}…")
        return found


def _fix_for(mine: Deployment, recorded: Deployment) -> str:
    """What to give this process so that it runs as the deployment does: only what differs."""
    wanted = []
    if mine.mode != recorded.mode:
        wanted.append("--queue-url redis://HOST:6379/0 (BULKOPS_QUEUE_URL)" if recorded.mode == "queue"
                      else "no --queue-url (unset BULKOPS_QUEUE_URL)")
    if mine.storage != recorded.storage:
        wanted.append(f"--storage {recorded.storage} (BULKOPS_STORAGE_URL)" if recorded.storage != "local"
                      else "no --storage (unset BULKOPS_STORAGE_URL)")
    if mine.secret_key_fingerprint != recorded.secret_key_fingerprint:
        wanted.append(f"the deployment's BULKOPS_SECRET_KEY (or its <data dir>/{KEY_FILE})")
    return (f"start it as the deployment runs: {', '.join(wanted)}; or, to change the deployment, stop its "
            "processes and start this one with --reconfigure")


def secret_box(settings: Settings, *, create: bool = True) -> SecretBox:
    """The deployment's key: ``secret_key`` (BULKOPS_SECRET_KEY), else one made once in the data dir (by a
    ``serve`` or ``worker``: an admin command with no key has not got the deployment's, and says so)."""
    if settings.secret_key:
        return SecretBox(settings.secret_key)
    path = settings.data_dir / KEY_FILE
    if not create and not path.is_file():
        raise ConfigError(f"no secret key: BULKOPS_SECRET_KEY is unset and {path} does not exist",
                          "give this command the deployment's key (BULKOPS_SECRET_KEY, or the server's --data-dir)")
    return SecretBox(_key_file(path))


def _key_file(path: Path) -> str:
    """The key in ``path``, made on first use (readable by its owner only). The key is written to a file of its
    own first and then linked into place, so of two processes making it at once the loser never reads a file
    that exists but is still empty: it reads the winner's whole key."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(SecretBox.new_key() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(draft)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"the secret key file {path} is empty",
                          "delete it if no secret was sealed with it yet, or restore the deployment's key")
    return key


def recorded(db: Database) -> Deployment | None:
    with db.read() as conn:
        row = conn.execute(select(deployment).where(deployment.c.id == 1)).first()
    return Deployment(row.mode, row.storage, row.secret_key_fingerprint) if row else None


def check_recorded(db: Database, mine: Deployment, reconfigure: bool = False) -> None:
    """Refuse (ConfigError) when the database belongs to a deployment run otherwise than ``mine`` (with
    ``reconfigure``, only when the keys differ: ``join_deployment`` then records the new mode and storage)."""
    found = recorded(db)
    if found is None:
        return
    if reconfigure:
        found = Deployment(mine.mode, mine.storage, found.secret_key_fingerprint)
    check_same(mine, found)


def join_deployment(db: Database, mine: Deployment, now: datetime, reconfigure: bool = False) -> None:
    """Record ``mine`` on a database that has no deployment yet (once this process's settings proved to work), or
    over the recorded one with ``reconfigure``; refuse (ConfigError) when the recorded one differs."""
    found = recorded(db)
    if found is None:
        try:
            with db.write() as conn:
                conn.execute(insert(deployment).values(id=1, mode=mine.mode, storage=mine.storage,
                                                       secret_key_fingerprint=mine.secret_key_fingerprint,
                                                       recorded_at=now))
            return
        except IntegrityError:
            pass
    elif reconfigure and mine != found:
        redeploy(db, mine, now)
    check_recorded(db, mine)


IN_FLIGHT = ("CREATED", "RUNNING", "CANCELING")


def redeploy(db: Database, mine: Deployment, now: datetime) -> None:
    """Record another mode or storage for the deployment: only while no operation is in flight (one would be left
    to processes run the old way), and never another key (the stored secrets are sealed with the old one)."""
    with db.write() as conn:
        found = conn.execute(select(deployment).where(deployment.c.id == 1)).one()
        if found.secret_key_fingerprint != mine.secret_key_fingerprint:
            raise ConfigError("--reconfigure cannot change the secret key: the stored secrets are sealed with the "
                              "deployment's", f"give this process the deployment's BULKOPS_SECRET_KEY (or {KEY_FILE})")
        in_flight = conn.execute(select(func.count()).select_from(bulk_operations)
                                 .where(bulk_operations.c.status.in_(IN_FLIGHT))).scalar_one()
        if in_flight:
            raise ConfigError(f"--reconfigure refused: {in_flight} operation(s) of this deployment are still in "
                              "flight", "let them finish or cancel them, stop the deployment's processes, then "
                              "start again with --reconfigure")
        conn.execute(update(deployment).where(deployment.c.id == 1)
                     .values(mode=mine.mode, storage=mine.storage, recorded_at=now))
    log.warning("deployment reconfigured: %s with storage %s (was %s with %s)", mine.mode, mine.storage,
                found.mode, found.storage)


def check_same(mine: Deployment, found: Deployment) -> None:
    differences = mine.differences(found)
    if differences:
        raise ConfigError("this process does not match the deployment recorded in its database: "
                          + "; ".join(differences), _fix_for(mine, found))


def check_key(db: Database, settings: Settings, box: SecretBox | None) -> Deployment:
    """The deployment the database belongs to, provided this process holds its key (None: not checked yet)."""
    found = recorded(db)
    if found is None:
        raise ConfigError(f"no bulkops deployment in {display_url(settings.db_url)} (no bulkops serve or worker "
                          "has run on it)", NAME_THE_DATABASE)
    if box is not None and box.fingerprint != found.secret_key_fingerprint:
        check_same(Deployment(found.mode, found.storage, box.fingerprint), found)
    return found


NAME_THE_DATABASE = ("name the server's database with --database-url / BULKOPS_DATABASE_URL / database_url in "
                     "bulkops.toml (or --data-dir for SQLite), or start bulkops serve first")


def display_url(url: str) -> str:
    """A database or queue URL fit to print: its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@", 1)[-1] if "@" in url else url
