"""Staged uploads (multipart POST, signed PUT) and result downloads, for the local file store.

These carry no Shopify token: the signature is the only credential (spec 7.1). Errors answer in the XML
shape of a cloud storage service, as clients of Shopify's staged uploads already handle.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast
from xml.sax.saxutils import escape

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from bulkops.app.urls import base_url
from bulkops.domain.staged_uploads.rules import record_upload
from bulkops.engine.faults import FaultType
from bulkops.engine.runtime import Runtime
from bulkops.storage.local import UPLOAD_PATH, LocalFileStore, download_message, put_message

log = logging.getLogger(__name__)
SUCCESS_STATUSES = ("200", "201", "204")
BUCKET = "bulkops-staged-uploads"
FORM_OVERHEAD = 64 * 1024
PUT_CEILING_FACTOR = 2
"""A PUT is not refused at the upload limit (Shopify's signed PUT enforces no size: the run refuses the file
with INVALID_STAGED_UPLOAD_FILE), but is cut off past twice that limit, streamed to disk, never held in memory."""

Handler = Callable[[Request], Awaitable[Response]]


def storage_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>")
    return Response(body, status_code=status, media_type="application/xml", headers=headers)


NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
RETRY_AFTER_S = 60


def storing_problem(exc: OSError) -> Response | None:
    """What a client is told when its file cannot be stored; None: a fault of this server (raise it).

    A full disk is no fault of the client's and may pass: 503 with ``Retry-After``, as a cloud store answers a
    transient failure, so that clients retry (UNCONFIRMED what Shopify's storage answers; it never fills up).
    A key too long for the file system is S3's ``KeyTooLongError`` (stagedUploadsCreate refuses such filenames
    now; reservations made before may remain)."""
    if exc.errno in NO_ROOM:
        log.warning("no room to store an upload: %s", exc)
        return storage_error(503, "ServiceUnavailable", "The server has no room for this file now. Please try "
                             "again later.", {"Retry-After": str(RETRY_AFTER_S)})
    if exc.errno == errno.ENAMETOOLONG:
        return storage_error(400, "KeyTooLongError", "Your key is too long.")
    return None


def not_served_here() -> Response:
    """With S3-compatible storage, clients upload to and download from the bucket directly; these routes
    belong to the local store only."""
    return storage_error(404, "NoSuchBucket", "This server keeps files in S3-compatible storage: upload to and "
                         "download from the URLs that stagedUploadsCreate and BulkOperation.url give.")


def _policy(raw: str) -> dict[str, Any] | None:
    """The policy document, when it has the shape this server issues (a key, an expiry, a list of conditions)."""
    try:
        value = orjson.loads(base64.b64decode(raw, validate=True))
    except Exception:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("conditions"), list):
        return None
    exact, _ = _conditions(value)
    return value if isinstance(value.get("expiration"), str) and "key" in exact else None


def _conditions(policy: dict[str, Any]) -> tuple[dict[str, str], tuple[int, int] | None]:
    exact: dict[str, str] = {}
    length: tuple[int, int] | None = None
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            exact.update({k: str(v) for k, v in condition.items()})
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "content-length-range" \
                and all(type(n) is int for n in condition[1:]):
            length = (condition[1], condition[2])
    return exact, length


def _expired(expiration: str, now: datetime) -> bool:
    if not expiration:
        return True
    try:
        moment = datetime.fromisoformat(expiration.rstrip("Z"))
    except ValueError:
        return True
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return now > moment


def _record_upload(runtime: Runtime, key: str, size: int, md5: str) -> None:
    with runtime.db.write() as conn:
        record_upload(conn, key, size, md5, runtime.clock.now())


def _store_upload(runtime: Runtime, key: str, upload: UploadFile) -> tuple[int, str]:
    upload.file.seek(0)
    digest = hashlib.md5()
    for block in iter(lambda: upload.file.read(1024 * 1024), b""):
        digest.update(block)
    upload.file.seek(0)
    size = runtime.store.put(key, upload.file)
    _record_upload(runtime, key, size, digest.hexdigest())
    return size, digest.hexdigest()


STORAGE_CODES = {403: ("AccessDenied", "Access denied."), 404: ("NoSuchKey", "The specified key does not exist."),
                 503: ("ServiceUnavailable", "We encountered an internal error. Please try again.")}


async def injected_storage_fault(runtime: Runtime, fault: FaultType, default_status: int,
                                 key: str) -> Response | None:
    """The emulator's UPLOAD_REJECT / DOWNLOAD_FAIL fault for the file at ``key`` (matched by its shop and, for a
    result, its operation), answered as the storage would (an XML error)."""
    emulation = runtime.engine.emulation
    struck = await run_in_threadpool(emulation.strike_file, fault, key) if emulation is not None else None
    if struck is None:
        return None
    status = int(struck.get("status") or default_status)
    code, message = STORAGE_CODES.get(status, ("InternalError", "We encountered an internal error. Please try again."))
    return storage_error(status, code, message)


def upload_post_handler(runtime: Runtime) -> Handler:
    signer = runtime.signer

    async def handle(request: Request) -> Response:
        if not isinstance(runtime.store, LocalFileStore):
            return not_served_here()
        max_bytes = runtime.settings.upload_max_bytes
        declared = int(request.headers.get("content-length") or 0)
        if declared > max_bytes + FORM_OVERHEAD:
            return storage_error(400, "EntityTooLarge",
                                 f"Your proposed upload exceeds the maximum allowed size of {max_bytes} bytes.")
        try:
            form = await request.form(max_files=1, max_fields=64)
        except Exception as exc:
            return storage_error(400, "InvalidArgument", f"The request is not a valid multipart form: {exc}")
        names = list(form.keys())
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return storage_error(400, "InvalidArgument", "The form has no file field named 'file'.")
        if names[-1] != "file":
            return storage_error(400, "InvalidArgument", "The 'file' field must be the last field in the form.")
        policy_raw, signature = str(form.get("policy") or ""), str(form.get("x-goog-signature") or "")
        if not policy_raw or not signer.verify(policy_raw, signature):
            return storage_error(403, "SignatureDoesNotMatch",
                                 "The request signature we calculated does not match the signature you provided.")
        policy = _policy(policy_raw)
        if policy is None:  # signed, yet not shaped as this server's policies are
            return storage_error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
        if _expired(policy["expiration"], runtime.clock.now()):
            return storage_error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
        exact, length = _conditions(policy)
        for name, expected in exact.items():
            if name in ("bucket",):
                continue
            if str(form.get(name) or "") != expected:
                return storage_error(403, "AccessDenied",
                                     f"Invalid according to Policy: Policy Condition failed: [\"eq\", \"${name}\", "
                                     f"\"{expected}\"]")
        size = upload.size or 0
        low, high = length or (1, max_bytes)
        if size > high:
            return storage_error(400, "EntityTooLarge",
                                 f"Your proposed upload is larger than the maximum object size specified in your "
                                 f"Policy Document ({high} bytes).")
        if size < low:
            return storage_error(400, "EntityTooSmall",
                                 "Your proposed upload is smaller than the minimum object size specified in your "
                                 "Policy Document.")
        key = exact["key"]
        rejected = await injected_storage_fault(runtime, FaultType.UPLOAD_REJECT, 403, key)
        if rejected is not None:
            return rejected
        try:
            _, md5 = await run_in_threadpool(_store_upload, runtime, key, upload)
        except OSError as exc:
            return _answer_or_raise(exc)
        public = base_url(request, runtime.settings.public_base_url, runtime.settings.proxy_headers)
        location = f"{public}{UPLOAD_PATH}/{key}"
        body = (f"<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>{escape(location)}</Location>"
                f"<Bucket>{BUCKET}</Bucket><Key>{escape(key)}</Key><ETag>\"{md5}\"</ETag></PostResponse>")
        wanted = exact.get("success_action_status")
        status = int(wanted) if wanted in SUCCESS_STATUSES else 201
        return Response(body, status_code=status, media_type="application/xml")

    return handle


def _signature_problem(runtime: Runtime, message: str, request: Request) -> Response | None:
    expires, signature = request.query_params.get("Expires", ""), request.query_params.get("Signature", "")
    signed = message.replace("{expires}", expires)
    if not (expires.isascii() and expires.isdigit()) or not runtime.signer.verify(signed, signature):
        return storage_error(403, "SignatureDoesNotMatch",
                             "The request signature we calculated does not match the signature you provided.")
    now = runtime.clock.now().replace(tzinfo=UTC).timestamp() if runtime.clock else time.time()
    if now > int(expires):
        return storage_error(400, "ExpiredToken", "The provided token has expired. Request signature expired.")
    return None


def upload_put_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        if not isinstance(runtime.store, LocalFileStore):
            return not_served_here()
        key = "tmp/" + request.path_params["rest"]
        problem = _signature_problem(runtime, put_message(key, "{expires}"), request)
        if problem:
            return problem
        rejected = await injected_storage_fault(runtime, FaultType.UPLOAD_REJECT, 403, key)
        if rejected is not None:
            return rejected
        try:
            stored = await _receive_put(runtime, key, request)
        except OSError as exc:
            return _answer_or_raise(exc)
        except ValueError:  # signed, yet no plain key (stagedUploadsCreate never signs such a one)
            return storage_error(400, "InvalidArgument", "The specified key is not a valid object name.")
        if isinstance(stored, Response):
            return stored
        size, md5 = stored
        await run_in_threadpool(_record_upload, runtime, key, size, md5)
        return Response(b"", status_code=200, headers={"ETag": f'"{md5}"'})

    return handle


async def _receive_put(runtime: Runtime, key: str, request: Request) -> tuple[int, str] | Response:
    """The PUT body streamed to the store (through a spool, never whole in memory): its size and MD5."""
    ceiling = PUT_CEILING_FACTOR * runtime.settings.upload_max_bytes
    digest, size = hashlib.md5(), 0
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        async for block in request.stream():
            size += len(block)
            if size > ceiling:
                return storage_error(400, "EntityTooLarge",
                                     f"Your upload exceeds the maximum allowed size of {ceiling} bytes.")
            digest.update(block)
            spool.write(block)
        spool.seek(0)
        await run_in_threadpool(runtime.store.put, key, cast(BinaryIO, spool))
    return size, digest.hexdigest()


def _answer_or_raise(exc: OSError) -> Response:
    problem = storing_problem(exc)
    if problem is None:
        raise exc
    return problem


def download_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        if not isinstance(runtime.store, LocalFileStore):
            return not_served_here()
        key = request.path_params["key"]
        disposition = request.query_params.get("response-content-disposition", "")
        problem = _signature_problem(runtime, download_message(key, "{expires}", disposition), request)
        if problem:
            return problem
        failed = await injected_storage_fault(runtime, FaultType.DOWNLOAD_FAIL, 500, key)
        if failed is not None:
            return failed
        store = runtime.store
        if not isinstance(store, LocalFileStore) or store.size(key) is None:
            return storage_error(404, "NoSuchKey", "The specified key does not exist.")
        return FileResponse(store.path_of(key), media_type="application/jsonl",
                            headers={"Content-Disposition": disposition})

    return handle
