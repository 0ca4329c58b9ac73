"""S3-compatible file store: the scale-out backend. Clients upload to and download from the bucket directly,
with presigned URLs and presigned POST policies; this server never carries the bytes.

Addressing: with virtual-host URLs (``https://<bucket>.s3.<region>.amazonaws.com/<key>``) a PUT target's URL path
is the object key, exactly as Shopify's (spec 2.3). With path-style URLs (``http://minio:9000/<bucket>/<key>``,
what S3-compatible servers on an IP or a single host name need) the path starts with the bucket; clients should
pass the POST target's ``key`` parameter (or the PUT URL's path without the ``/<bucket>/`` prefix) as
``stagedUploadPath``. The ``key`` parameter is the documented way and works with either style.
"""

from __future__ import annotations

import io
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bulkops.storage.base import UploadTarget

MIB = 1024 * 1024
MIN_PART = 5 * MIB
"""S3 refuses a multipart upload whose parts (all but the last) are smaller than 5 MiB."""
PART_SIZE = 8 * MIB
"""What ``compose`` buffers before sending a part: memory stays flat whatever the file's size."""
MAX_EXPIRY_S = 7 * 24 * 3600
"""SigV4 presigned URLs live at most 7 days; Shopify's result URLs also last 7 days."""
READ_BLOCK = MIB
READ_RETRIES = 3
MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    bucket: str
    endpoint_url: str | None = None
    addressing_style: str | None = None
    """``path``, ``virtual`` or None (boto's choice: virtual on AWS, path for an IP endpoint)."""
    public_endpoint_url: str | None = None
    """The endpoint clients reach, named in presigned URLs (None: ``endpoint_url``). SigV4 signs the host, and
    presigning makes no request: URLs signed for the public host verify when clients send them there."""


def parse_storage_url(url: str) -> str:
    """The bucket of ``s3://<bucket>``. A key prefix is refused: the staged ``key`` clients pass back as
    ``stagedUploadPath`` must be the object key itself."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"storage URL must look like s3://<bucket>, not {url!r}")
    if parsed.path.strip("/"):
        raise ValueError(f"storage URL must name a bucket only (no key prefix): {url!r}")
    return parsed.netloc


def seconds_until(expires_at: datetime) -> int:
    """Presign lifetime for a naive-UTC deadline, within what SigV4 allows."""
    left = (expires_at.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()
    return max(1, min(MAX_EXPIRY_S, int(left)))


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING


class S3FileStore:
    def __init__(self, location: S3Location, session: boto3.session.Session | None = None) -> None:
        """Credentials and region come from ``session``, or from the usual AWS variables and files."""
        self.bucket = location.bucket
        config = Config(signature_version="s3v4", max_pool_connections=32,
                        s3={"addressing_style": location.addressing_style or "auto"},
                        retries={"max_attempts": 5, "mode": "standard"})
        session = session or boto3.session.Session()
        self.client = session.client("s3", endpoint_url=location.endpoint_url, config=config)
        self.presigner = (session.client("s3", endpoint_url=location.public_endpoint_url, config=config)
                          if location.public_endpoint_url else self.client)
        """Makes the URLs clients use (on the public endpoint); ``client`` makes this server's own requests."""
        self._transfer = TransferConfig(multipart_chunksize=PART_SIZE, max_concurrency=2)

    def check(self) -> None:
        """Fail at start-up, not at the first upload, when the bucket cannot be reached."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise RuntimeError(f"S3 bucket {self.bucket!r} is not reachable: {exc}") from exc

    # ---- objects ----------------------------------------------------------------------------------
    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def put(self, key: str, data: bytes | BinaryIO) -> int:
        """A PUT is durable once S3 answers; file objects go up as a managed (multipart) upload."""
        if isinstance(data, bytes | bytearray | memoryview):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(data))
            return len(data)
        self.client.upload_fileobj(data, self.bucket, key, Config=self._transfer)
        size = self.size(key)
        assert size is not None
        return size

    def open(self, key: str) -> BinaryIO:
        """A buffered, seekable reader over ranged GETs: the importer's ``seek`` to a resume offset, ``readline``
        and ``tell`` work, and only one read block is held in memory."""
        size = self.size(key)
        if size is None:
            raise FileNotFoundError(key)
        return io.BufferedReader(RangedObject(self.client, self.bucket, key, size), READ_BLOCK)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def compose(self, key: str, parts: Iterable[str]) -> int:
        """Concatenate objects into ``key`` with a multipart upload: a part of at least 5 MiB that starts a
        new S3 part is copied server-side (UploadPartCopy); smaller parts are streamed through a bounded buffer.
        A result smaller than one part is a single PUT."""
        return Composer(self, key).run(parts)

    def keys(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def remove_temporary(self, prefix: str) -> int:
        """Writes to S3 are whole or absent (a failed compose aborts its multipart upload): nothing to remove."""
        return 0

    # ---- URLs -------------------------------------------------------------------------------------
    def upload_target(
        self, key: str, content_type: str, max_bytes: int, expires_at: datetime, base_url: str
    ) -> UploadTarget:
        """A presigned POST policy binding the exact key, the content type, 201 and 1 B..max_bytes.
        No ``acl`` field: buckets with ACLs disabled (S3's default since 2023) refuse one; objects are private."""
        post = self.presigner.generate_presigned_post(
            self.bucket,
            key,
            Fields={"Content-Type": content_type, "success_action_status": "201"},
            Conditions=[{"Content-Type": content_type}, {"success_action_status": "201"},
                        ["content-length-range", 1, max_bytes]],
            ExpiresIn=seconds_until(expires_at),
        )
        fields: dict[str, str] = post["fields"]
        first = ["Content-Type", "success_action_status", "key"]
        ordered = [(name, fields[name]) for name in first]
        ordered += [(name, value) for name, value in fields.items() if name not in first]
        return UploadTarget(url=post["url"], parameters=ordered)

    def put_url(self, key: str, content_type: str, expires_at: datetime, base_url: str) -> str:
        """Signed for the host only, as Shopify's PUT URLs are: any Content-Type header is accepted."""
        return str(self.presigner.generate_presigned_url(
            "put_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds_until(expires_at)))

    def download_url(self, key: str, filename: str, expires_at: datetime, base_url: str) -> str:
        disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{filename}"
        return str(self.presigner.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition,
                    "ResponseContentType": "application/jsonl"},
            ExpiresIn=seconds_until(expires_at),
        ))


class RangedObject(io.RawIOBase):
    """An S3 object read from a position with a ``Range`` GET, reopened after a seek or a dropped stream."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        self._client, self._bucket, self._key, self._size = client, bucket, key, size
        self._position = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        target = max(0, base + offset)
        if target != self._position:
            self._drop()
            self._position = target
        return self._position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._size:
            return 0
        for attempt in range(READ_RETRIES):
            try:
                if self._body is None:
                    self._body = self._client.get_object(
                        Bucket=self._bucket, Key=self._key, Range=f"bytes={self._position}-")["Body"]
                data = self._body.read(len(buffer))
                break
            except (BotoCoreError, OSError):
                self._drop()
                if attempt == READ_RETRIES - 1:
                    raise
        n = len(data)
        buffer[:n] = data
        self._position += n
        return n

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop()
        super().close()


class Composer:
    """One ``compose`` call: parts go into a multipart upload opened on the first full part."""

    def __init__(self, store: S3FileStore, key: str) -> None:
        self.store, self.key = store, key
        self.client, self.bucket = store.client, store.bucket
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.done: list[dict[str, Any]] = []
        self.total = 0

    def run(self, parts: Iterable[str]) -> int:
        try:
            for part in parts:
                self._add(part)
            return self._finish()
        except BaseException:
            self._abort()
            raise

    def _abort(self) -> None:
        """Drop the uploaded parts (S3 keeps and bills them until aborted); the original error still wins."""
        if self.upload_id is None:
            return
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)
        except (ClientError, BotoCoreError):
            pass

    def _add(self, part: str) -> None:
        size = self.store.size(part)
        if size is None:
            raise FileNotFoundError(part)
        self.total += size
        if not self.buffer and size >= MIN_PART:
            self._copy(part)
            return
        body = self.client.get_object(Bucket=self.bucket, Key=part)["Body"]
        try:
            for block in body.iter_chunks(READ_BLOCK):
                self.buffer += block
                if len(self.buffer) >= PART_SIZE:
                    self._send()
        finally:
            body.close()

    def _start(self) -> str:
        if self.upload_id is None:
            self.upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)["UploadId"]
        return self.upload_id

    def _copy(self, part: str) -> None:
        number = len(self.done) + 1
        answer = self.client.upload_part_copy(Bucket=self.bucket, Key=self.key, UploadId=self._start(),
                                              PartNumber=number, CopySource={"Bucket": self.bucket, "Key": part})
        self.done.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})

    def _send(self) -> None:
        number = len(self.done) + 1
        answer = self.client.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self._start(),
                                         PartNumber=number, Body=bytes(self.buffer))
        self.done.append({"PartNumber": number, "ETag": answer["ETag"]})
        self.buffer.clear()

    def _finish(self) -> int:
        if self.upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
            return self.total
        if self.buffer:
            self._send()
        self.client.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                              MultipartUpload={"Parts": self.done})
        return self.total
