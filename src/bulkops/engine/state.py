"""A deployment's state as one archive (``GET/POST /__bulkops/state``, ``serve --import/--export-on-exit``): a
gzipped tar holding ``manifest.json`` (format, version, schema revision, key fingerprint, rows per table), one
``tables/<name>.jsonl`` per table (a JSON object per row) and ``files/<key>`` for every stored file of the
operations. Restoring replaces everything a reset would delete, and the shops, with the archive's: a test
suite saves a prepared deployment once and starts each run from it.

The archive is built in memory: it is meant for test fixtures, not for backups of big deployments. Secrets stay
sealed as the database keeps them, so an archive restores only into a deployment with the same key."""

from __future__ import annotations

import base64
import io
import tarfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Date, DateTime, LargeBinary, Table, delete, insert, select

from bulkops.db.tables import deployment, metadata
from bulkops.engine.engine import BulkEngine
from bulkops.engine.reset import FILE_PREFIXES, KEPT, Scope, reset, restart_ids

FORMAT = "bulkops-state"
VERSION = 1
SAVED = [t for t in metadata.sorted_tables if t.name not in KEPT or t.name == "shops"]
"""Parents before children: the order to insert them in (reversed to delete)."""


class StateError(ValueError):
    """An archive that cannot be restored here, and why."""


@dataclass(frozen=True)
class Restored:
    rows: dict[str, int]
    files: int


def dump(engine: BulkEngine) -> bytes:
    """The deployment's rows and files as a ``.tar.gz``."""
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        with engine.db.read() as conn:
            for table in SAVED:
                rows = [_encoded(table, row._mapping) for row in conn.execute(select(table))]
                counts[str(table.name)] = len(rows)
                _add(archive, f"tables/{table.name}.jsonl", b"".join(orjson.dumps(r) + b"\n" for r in rows))
            fingerprint = conn.execute(select(deployment.c.secret_key_fingerprint)).scalar()
        for prefix in FILE_PREFIXES:
            for key in engine.store.keys(prefix):
                with engine.store.open(key) as stored:
                    _add(archive, f"files/{key}", stored.read())
        manifest = {"format": FORMAT, "version": VERSION, "schemaRevision": engine.db.revision(),
                    "keyFingerprint": fingerprint, "tables": counts}
        _add(archive, "manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return buffer.getvalue()


def restore(engine: BulkEngine, data: bytes) -> Restored:
    """Replace the deployment's state with the archive's (after the checks, so a bad archive changes nothing)."""
    members = _read(data)
    _check_manifest(engine, members)
    rows = {table.name: _rows(table, members.get(f"tables/{table.name}.jsonl", b"")) for table in SAVED}
    reset(engine, Scope.ALL)
    with engine.db.write() as conn:
        for table in reversed(SAVED):
            conn.execute(delete(table))
        for table in SAVED:
            if rows[table.name]:
                conn.execute(insert(table), rows[table.name])
        restart_ids(conn, SAVED)
    files = [(name.removeprefix("files/"), content) for name, content in members.items() if name.startswith("files/")]
    for key, content in files:
        engine.store.put(key, content)
    return Restored({str(name): len(found) for name, found in rows.items() if found}, len(files))


def _check_manifest(engine: BulkEngine, members: dict[str, bytes]) -> None:
    try:
        manifest = orjson.loads(members["manifest.json"])
    except (KeyError, orjson.JSONDecodeError) as exc:
        raise StateError("the archive has no readable manifest.json: is it a bulkops state archive?") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise StateError(f"the archive is {manifest.get('format')!r} version {manifest.get('version')!r}; "
                         f"this server reads {FORMAT!r} version {VERSION}")
    here = engine.db.revision()
    if manifest.get("schemaRevision") != here:
        raise StateError(f"the archive is of schema revision {manifest.get('schemaRevision')}, this server's is "
                         f"{here}: dump it again from a server of this version")
    with engine.db.read() as conn:
        fingerprint = conn.execute(select(deployment.c.secret_key_fingerprint)).scalar()
    if manifest.get("keyFingerprint") != fingerprint:
        raise StateError("the archive's secrets were sealed with another secret key than this deployment's: "
                         "restore it into a deployment with the same BULKOPS_SECRET_KEY")


def _read(data: bytes) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive.getmembers():
                if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                    continue
                extracted = archive.extractfile(member)
                if extracted is not None:
                    members[member.name] = extracted.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise StateError(f"the body is not a tar archive ({exc})") from exc
    return members


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    archive.addfile(info, io.BytesIO(content))


def _encoded(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row[column.name]
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        out[str(column.name)] = value
    return out


def _rows(table: Table, jsonl: bytes) -> list[dict[str, Any]]:
    try:
        return [_decoded(table, orjson.loads(line)) for line in jsonl.splitlines() if line.strip()]
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise StateError(f"tables/{table.name}.jsonl has a row that cannot be read: {exc}") from exc


def _decoded(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None:
            if isinstance(column.type, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = date.fromisoformat(value)
            elif isinstance(column.type, LargeBinary):
                value = base64.b64decode(value)
        out[str(column.name)] = value
    return out

