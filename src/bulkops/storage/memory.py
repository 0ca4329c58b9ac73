"""An in-memory file store: the FileStore port's twin for tests that run the engine in-process (no disk, no
fsync). It records every call, and ``before_put`` lets a test act at the moment a file is written (a worker
crashing mid-chunk raises there; time passing moves a clock there)."""

from __future__ import annotations

import io
import posixpath
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import BinaryIO

from bulkops.storage.base import UploadTarget


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []
        """``(method, key)`` for every call, in order."""
        self.before_put: Callable[[str], None] | None = None
        """Called with the key before each put is stored; an exception raised there means nothing was stored."""

    def reset(self) -> None:
        """Empty, with no calls recorded and no hook."""
        self.objects.clear()
        self.calls.clear()
        self.before_put = None

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(key for key in self.objects if key.startswith(prefix))

    def remove_temporary(self, prefix: str) -> int:
        """A write here is whole or absent: it leaves nothing temporary."""
        self.calls.append(("remove_temporary", prefix))
        return 0

    def read(self, key: str) -> bytes:
        return self.objects[_plain(key)]

    def exists(self, key: str) -> bool:
        self.calls.append(("exists", key))
        return _plain(key) in self.objects

    def size(self, key: str) -> int | None:
        self.calls.append(("size", key))
        try:
            data = self.objects.get(_plain(key))
        except ValueError:
            return None
        return None if data is None else len(data)

    def put(self, key: str, data: bytes | BinaryIO) -> int:
        self.calls.append(("put", key))
        key = _plain(key)
        if self.before_put is not None:
            self.before_put(key)
        self.objects[key] = bytes(data) if isinstance(data, bytes | bytearray | memoryview) else data.read()
        return len(self.objects[key])

    def open(self, key: str) -> BinaryIO:
        self.calls.append(("open", key))
        try:
            return io.BytesIO(self.objects[_plain(key)])
        except KeyError:
            raise FileNotFoundError(key) from None

    def delete(self, key: str) -> None:
        self.calls.append(("delete", key))
        self.objects.pop(_plain(key), None)

    def compose(self, key: str, parts: Iterable[str]) -> int:
        self.calls.append(("compose", key))
        try:
            data = b"".join(self.objects[_plain(part)] for part in parts)
        except KeyError as missing:
            raise FileNotFoundError(str(missing)) from None
        self.objects[_plain(key)] = data
        return len(data)

    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_at: datetime, base_url: str
    ) -> UploadTarget:
        self.calls.append(("upload_target", key))
        return UploadTarget(url=f"{base_url.rstrip('/')}/memory-uploads",
                            parameters=[("Content-Type", content_type), ("key", key),
                                        ("expires", str(_epoch(expires_at)))])

    def put_url(self, key: str, content_type: str, expires_at: datetime, base_url: str) -> str:
        self.calls.append(("put_url", key))
        return _url(base_url, key, {"Expires": str(_epoch(expires_at))})

    def download_url(self, key: str, filename: str, expires_at: datetime, base_url: str) -> str:
        self.calls.append(("download_url", key))
        return _url(base_url, key, {"Expires": str(_epoch(expires_at)), "filename": filename})


def _plain(key: str) -> str:
    """The same rule as the real stores: keys are plain relative paths."""
    if not key or posixpath.normpath(key) != key or key.startswith(("/", "..")):
        raise ValueError(f"not a plain key: {key!r}")
    return key


def _epoch(naive_utc: datetime) -> int:
    return int(naive_utc.replace(tzinfo=UTC).timestamp())


def _url(base_url: str, key: str, query: dict[str, str]) -> str:
    return f"{base_url.rstrip('/')}/{urllib.parse.quote(key)}?{urllib.parse.urlencode(query)}"
