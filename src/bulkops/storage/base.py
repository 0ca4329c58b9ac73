"""The file store seam: where staged uploads, result segments and result files live."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class UploadTarget:
    """Where and how a client POSTs a staged file: the URL and the form fields, in order."""

    url: str
    parameters: list[tuple[str, str]]


class FileStore(Protocol):
    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None:
        """Byte size of the object, or None when it does not exist."""

    def put(self, key: str, data: bytes | BinaryIO) -> int:
        """Store an object durably (fsync on local disk); returns its size."""

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def compose(self, key: str, parts: Iterable[str]) -> int:
        """Concatenate existing objects, in order, into ``key``; returns the composed size."""

    def keys(self, prefix: str) -> list[str]:
        """The keys of the objects under ``prefix`` (a folder: ends with ``/``), sorted."""

    def remove_temporary(self, prefix: str) -> int:
        """Delete the temporary files writes under ``prefix`` left behind (a process stopped mid-write, a full
        disk); returns how many. Only when no write is in flight there."""

    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_at: datetime, base_url: str
    ) -> UploadTarget: ...

    def put_url(self, key: str, content_type: str, expires_at: datetime, base_url: str) -> str:
        """A signed URL a client PUTs the raw file to."""

    def download_url(self, key: str, filename: str, expires_at: datetime, base_url: str) -> str: ...
