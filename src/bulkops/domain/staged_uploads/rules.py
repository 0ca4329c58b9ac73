"""Staged uploads (spec 2): which files may be staged, where each goes (its key), how long its target lives,
and the record of what arrived. ``stagedUploadsCreate`` reserves; the local store's upload routes record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, update

from bulkops.db.tables import staged_uploads
from bulkops.protocol.errors import UserError

BULK_VARIABLES = "BULK_MUTATION_VARIABLES"
BULK_MIME_TYPES = ("text/jsonl", "application/jsonl", "application/x-ndjson")
MIME_PREFIXES = {
    "IMAGE": ("image/",), "PRODUCT_IMAGE": ("image/",), "COLLECTION_IMAGE": ("image/",), "SHOP_IMAGE": ("image/",),
    "VIDEO": ("video/",), "MODEL_3D": ("model/", "application/octet-stream"),
}
SIZE_REQUIRED = {"VIDEO": "video", "MODEL_3D": "3D model"}
PUT_URL_LIFETIME_S = 7 * 24 * 3600
"""Shopify's signed PUT URLs carry ``X-Goog-Expires=604800``; POST policies expire after 24 hours."""


@dataclass(frozen=True)
class UploadRequest:
    """One ``StagedUploadInput``."""

    resource: str
    filename: str
    mime_type: str
    http_method: str = "PUT"
    file_size: int | str | None = None


@dataclass(frozen=True)
class Reservation:
    """A staged key, reserved for its file until ``expires_at``."""

    key: str
    mime_type: str
    http_method: str
    expires_at: datetime


MAX_FILENAME_BYTES = 200
"""A filename becomes a file's name in the local store, where a name ends at 255 bytes (and the store writes
through a temporary file named after it): a longer one is refused up front, on every store alike (UNCONFIRMED:
Shopify's own limit is not recorded; its storage takes object names up to 1,024 bytes)."""


def plain_filename(name: str) -> bool:
    """A filename becomes the last segment of the staged key, so it must be one plain path segment, short
    enough for a file system, without control characters (the wording of the refusal is ours: Shopify's is
    not recorded; its storage refuses object names with a line break)."""
    if not name or name in (".", "..") or any(c in "/\\" or ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    try:
        return len(name.encode()) <= MAX_FILENAME_BYTES
    except UnicodeEncodeError:  # a lone surrogate: no file system or database takes it
        return False


def _recognized(request: UploadRequest) -> bool:
    if request.resource == BULK_VARIABLES:
        return request.mime_type in BULK_MIME_TYPES
    prefixes = MIME_PREFIXES.get(request.resource)
    return prefixes is None or request.mime_type.startswith(prefixes)


def upload_problem(index: int, request: UploadRequest) -> UserError | None:
    """Why the ``index``-th input cannot be staged (the first reason found), or None."""
    at = ["input", str(index)]
    if not plain_filename(request.filename):
        return UserError(f"{request.filename}: is not a valid filename", [*at, "filename"])
    if request.resource in SIZE_REQUIRED and request.file_size is None:
        return UserError(f"file size is required for {SIZE_REQUIRED[request.resource]} resources", [*at, "fileSize"])
    if not _recognized(request):
        return UserError(f"{request.filename}: ({request.mime_type}) is not a recognized format", [*at, "mimeType"])
    return None


def _key(shop_id: int, request: UploadRequest) -> str:
    area = "bulk" if request.resource == BULK_VARIABLES else request.resource.lower()
    return f"tmp/{shop_id}/{area}/{uuid.uuid4()}/{request.filename}"


def reserve(conn: Connection, shop_id: int, request: UploadRequest, now: datetime, post_lifetime_s: float
            ) -> Reservation:
    """A fresh key for the file, recorded with its expiry: a PUT URL lives as long as Shopify's, a POST
    policy ``post_lifetime_s``."""
    lifetime = PUT_URL_LIFETIME_S if request.http_method == "PUT" else post_lifetime_s
    reservation = Reservation(_key(shop_id, request), request.mime_type, request.http_method,
                              now + timedelta(seconds=lifetime))
    conn.execute(insert(staged_uploads).values(
        shop_id=shop_id, key=reservation.key, resource=request.resource, filename=request.filename,
        mime_type=request.mime_type, http_method=request.http_method, created_at=now,
        expires_at=reservation.expires_at,
    ))
    return reservation


def record_upload(conn: Connection, key: str, size: int, md5: str, now: datetime) -> None:
    """What arrived for a key (optional bookkeeping: uploads straight to S3 never pass through the server,
    so nothing may depend on it)."""
    conn.execute(update(staged_uploads).where(staged_uploads.c.key == key).values(uploaded_at=now, size=size, md5=md5))
