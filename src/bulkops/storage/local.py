"""Local-directory file store: the embedded default. Uploads and downloads go through this server."""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tempfile
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson

from bulkops.storage.base import UploadTarget
from bulkops.storage.signing import Signer, b64

UPLOAD_PATH = "/staged-uploads"
DOWNLOAD_PREFIX = "/files/"


class LocalFileStore:
    def __init__(self, root: Path, signer: Signer) -> None:
        self.root = root
        self.signer = signer
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        """Keys are plain relative paths: no ``..``, no empty or absolute segments."""
        if not key or posixpath.normpath(key) != key or key.startswith("/") or key.startswith(".."):
            raise ValueError(f"not a plain key: {key!r}")
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key escapes the store: {key!r}")
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        """The object's size; None when there is no such object (a directory is none: ``tmp/<shop>/bulk`` is
        a prefix, not a file), including for a key the file system cannot even name."""
        try:
            status = self._path(key).stat()
        except (OSError, ValueError):
            return None
        return status.st_size if stat.S_ISREG(status.st_mode) else None

    def put(self, key: str, data: bytes | BinaryIO) -> int:
        def fill(out: BinaryIO) -> None:
            if isinstance(data, bytes | bytearray | memoryview):
                out.write(data)
            else:
                shutil.copyfileobj(data, out, 1024 * 1024)

        return _atomic_write(self._path(key), fill)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def compose(self, key: str, parts: Iterable[str]) -> int:
        def fill(out: BinaryIO) -> None:
            for part in parts:
                with open(self._path(part), "rb") as src:
                    shutil.copyfileobj(src, out, 1024 * 1024)

        return _atomic_write(self._path(key), fill)

    def keys(self, prefix: str) -> list[str]:
        folder = self.root / prefix
        if not prefix.endswith("/") or not folder.is_dir():
            return []
        return sorted(path.relative_to(self.root).as_posix() for path in folder.rglob("*")
                      if path.is_file() and not path.name.startswith("."))

    def remove_temporary(self, prefix: str) -> int:
        """The ``.<name>.<random>`` files :func:`_atomic_write` writes through, left by a write that never
        finished (its process died before it could remove them)."""
        folder = self.root / prefix
        removed = 0
        for path in folder.rglob(".*") if folder.is_dir() else ():
            if path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def path_of(self, key: str) -> Path:
        """The local path of an object (for serving downloads)."""
        return self._path(key)

    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_at: datetime, base_url: str
    ) -> UploadTarget:
        policy = upload_policy(key, content_type, max_bytes, expires_at)
        date = expires_at.strftime("%Y%m%dT%H%M%SZ")
        return UploadTarget(
            url=base_url.rstrip("/") + UPLOAD_PATH,
            parameters=[
                ("Content-Type", content_type),
                ("success_action_status", "201"),
                ("acl", "private"),
                ("key", key),
                ("x-goog-date", date),
                ("x-goog-credential", "bulkops/staged-uploads"),
                ("x-goog-algorithm", "GOOG4-RSA-SHA256"),  # Shopify's value (spec 2.2); clients pass it through
                ("x-goog-signature", self.signer.sign(policy)),
                ("policy", policy),
            ],
        )

    def put_url(self, key: str, content_type: str, expires_at: datetime, base_url: str) -> str:
        """``<base>/<key>?…``: the URL's path is the staged-upload path, as clients derive it (spec 2.3)."""
        expires = str(epoch(expires_at))
        signature = self.signer.sign(put_message(key, expires))
        query = urllib.parse.urlencode({"Expires": expires, "Signature": signature})
        return f"{base_url.rstrip('/')}/{urllib.parse.quote(key)}?{query}"

    def download_url(self, key: str, filename: str, expires_at: datetime, base_url: str) -> str:
        expires = str(epoch(expires_at))
        disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{filename}"
        signature = self.signer.sign(download_message(key, expires, disposition))
        query = urllib.parse.urlencode(
            {
                "Expires": expires,
                "Signature": signature,
                "response-content-disposition": disposition,
                "response-content-type": "application/jsonl",
            }
        )
        return f"{base_url.rstrip('/')}{DOWNLOAD_PREFIX}{urllib.parse.quote(key)}?{query}"


def _atomic_write(path: Path, fill: Callable[[BinaryIO], None]) -> int:
    """Write through a temporary file of its own (two writers of one key never share it), fsync it, rename it
    into place and fsync the directory: once this returns, the object survives a crash whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as out:
        try:
            fill(out)  # type: ignore[arg-type]
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            os.unlink(out.name)
            raise
    os.replace(out.name, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path.stat().st_size


def epoch(naive_utc: datetime) -> int:
    return int(naive_utc.replace(tzinfo=UTC).timestamp())


def upload_policy(key: str, content_type: str, max_bytes: int, expires_at: datetime) -> str:
    """A base64 JSON policy shaped like the one Shopify's storage issues."""
    document = {
        "conditions": [
            {"Content-Type": content_type},
            {"success_action_status": "201"},
            {"acl": "private"},
            ["content-length-range", 1, max_bytes],
            {"key": key},
        ],
        "expiration": expires_at.replace(microsecond=0).isoformat() + "Z",
    }
    return b64(orjson.dumps(document))


def download_message(key: str, expires: str, disposition: str) -> str:
    return f"GET\n{key}\n{expires}\n{disposition}"


def put_message(key: str, expires: str) -> str:
    return f"PUT\n{key}\n{expires}"
