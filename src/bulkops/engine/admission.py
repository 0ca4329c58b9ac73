"""Admission: whether a new operation may start (staged file, concurrency per API version, daily cap), checked in
Shopify's order (spec 3.4), under a per-shop lock so two racing requests cannot both pass a limit."""

from __future__ import annotations

import posixpath
from datetime import datetime

from sqlalchemy import Connection, update

from bulkops.config import MB, Settings
from bulkops.db.tables import shops
from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import OperationType, Status
from bulkops.protocol.errors import UserError
from bulkops.storage.base import FileStore

NO_SUCH_FILE = (
    "The JSONL file could not be found. Try uploading the file again, and check that you've entered "
    "the URL correctly for the stagedUploadPath mutation argument."
)


def concurrency_limit(api_version: str) -> int:
    """1 running operation per type before 2026-01, 5 from 2026-01 (``unstable`` sorts after every date)."""
    return 1 if api_version < "2026-01" else 5


def admit_mutation(conn: Connection, store: FileStore, settings: Settings, now: datetime, *, shop_id: int,
                   api_version: str, mutation: str, staged_upload_path: str,
                   client_identifier: str | None) -> ops.Operation | list[UserError]:
    size = staged_size(store, shop_id, staged_upload_path)
    problem = file_problem(size, settings.upload_max_bytes)
    if problem:
        return [problem]
    lock_shop(conn, shop_id)
    busy = busy_problem(conn, shop_id, OperationType.MUTATION, api_version)
    if busy:
        return [busy]
    if api_version >= "2026-01" and ops.created_since(
        conn, shop_id, OperationType.MUTATION, ops.window_start(now)
    ) >= settings.daily_mutation_cap:
        return [UserError("Bulk operations limit reached. Please try again later.", None, "LIMIT_REACHED")]
    return ops.insert_operation(
        conn,
        shop_id=shop_id,
        type=OperationType.MUTATION.value,
        status=Status.CREATED.value,
        query=mutation,
        client_identifier=client_identifier,
        group_objects=False,
        api_version=api_version,
        staged_upload_path=staged_upload_path,
        input_size=size,
        created_at=now,
    )


def admit_query(conn: Connection, now: datetime, *, shop_id: int, api_version: str, query: str,
                group_objects: bool) -> ops.Operation | list[UserError]:
    lock_shop(conn, shop_id)
    busy = busy_problem(conn, shop_id, OperationType.QUERY, api_version)
    if busy:
        return [busy]
    return ops.insert_operation(
        conn,
        shop_id=shop_id,
        type=OperationType.QUERY.value,
        status=Status.CREATED.value,
        query=query,
        group_objects=group_objects,
        api_version=api_version,
        created_at=now,
    )


def staged_size(store: FileStore, shop_id: int, path: str) -> int | None:
    """A shop only ever finds its own staged files: the path must be a plain key under its own prefix."""
    if not path.startswith(f"tmp/{shop_id}/") or posixpath.normpath(path) != path:
        return None
    try:
        return store.size(path)
    except ValueError:
        return None


def file_problem(size: int | None, max_bytes: int) -> UserError | None:
    if size is None:
        return UserError(NO_SUCH_FILE, None, "NO_SUCH_FILE")
    if size == 0:
        return UserError("The input file is empty.", None, "INVALID_STAGED_UPLOAD_FILE")
    if size > max_bytes:
        return UserError(f"The input file size exceeds the maximum allowed size of {max_bytes / MB:g} MB.", None,
                         "INVALID_STAGED_UPLOAD_FILE")
    return None


def lock_shop(conn: Connection, shop_id: int) -> None:
    """Serialize operation creation per shop, so two racing requests cannot both pass the limit."""
    conn.execute(update(shops).where(shops.c.id == shop_id).values(bulk_lock=shops.c.bulk_lock + 1))


def busy_problem(conn: Connection, shop_id: int, op_type: OperationType, api_version: str) -> UserError | None:
    blocking = ops.in_progress_ids(conn, shop_id, op_type)
    if len(blocking) < concurrency_limit(api_version):
        return None
    kind = "mutation" if op_type is OperationType.MUTATION else "query"
    gids = ", ".join(f"gid://shopify/BulkOperation/{i}" for i in blocking)
    return UserError(
        f"A bulk {kind} operation for this app and shop is already in progress: {gids}.",
        None,
        "OPERATION_IN_PROGRESS",
    )
