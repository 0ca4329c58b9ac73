"""The FileStore contract, run against both backends (one seam, two backends): what the engine relies on
(put, size, seekable line reads, compose, delete), also held by the in-memory twin the engine's in-process tests
use, and what clients rely on (upload targets, signed URLs)."""

from __future__ import annotations

import base64
import io
import random
import urllib.parse
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from bulkops.engine.importer import read_batches
from tests.storage.conftest import Backend

MIB = 1024 * 1024
LINES = b"".join(orjson.dumps({"product": {"title": f"Board {i}"}}) + b"\n" for i in range(7))
DISPOSITION = "attachment; filename=\"bulk-42.jsonl\"; filename*=UTF-8''bulk-42.jsonl"


def staged_key(name: str = "vars.jsonl") -> str:
    return f"tmp/9999/bulk/{uuid.uuid4()}/{name}"


def in_an_hour() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(hours=1)


def blob(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def test_a_stored_object_reads_back_whole_with_its_size(store_backend: Backend) -> None:
    store, key = store_backend.store, staged_key()

    written = store.put(key, LINES)

    assert written == len(LINES) == store.size(key)
    assert store.exists(key)
    with store.open(key) as stream:
        assert stream.read() == LINES


def test_a_file_object_is_stored_from_its_current_position_to_its_end(store_backend: Backend) -> None:
    store, key = store_backend.store, staged_key()
    data = blob(3 * MIB + 17, seed=1)

    written = store.put(key, io.BytesIO(data))

    assert written == len(data) == store.size(key)
    with store.open(key) as stream:
        assert stream.read() == data


def test_a_missing_object_has_no_size_does_not_exist_and_cannot_be_opened(store_backend: Backend) -> None:
    key = staged_key()

    assert store_backend.store.size(key) is None
    assert not store_backend.store.exists(key)
    with pytest.raises(FileNotFoundError):
        store_backend.store.open(key)


def test_an_import_resumes_reading_at_the_byte_offset_recorded_after_a_batch(store_backend: Backend) -> None:
    """The engine records each batch's end offset and, after a restart, seeks there and reads on."""
    store, key = store_backend.store, staged_key()
    store.put(key, LINES)
    with store.open(key) as stream:
        first_pass = list(read_batches(stream, 0, 3))

    with store.open(key) as stream:
        stream.seek(first_pass[0].end_offset)
        resumed = list(read_batches(stream, 3, 3))

    assert [b.lines for b in resumed] == [b.lines for b in first_pass[1:]]
    assert [raw for _, raw in resumed[0].lines] == LINES.splitlines(keepends=True)[3:6]
    assert resumed[-1].end_offset == len(LINES)


def test_composing_concatenates_the_parts_in_order_across_the_5_MiB_part_boundary(store_backend: Backend) -> None:
    """S3 needs every multipart part but the last to be at least 5 MiB: small and large parts mix here."""
    store = store_backend.store
    sizes = [1000, 6 * MIB, 1000, 6 * MIB, 3 * MIB, 6 * MIB + 1, 10]
    parts = [staged_key(f"part-{i}") for i in range(len(sizes))]
    contents = [blob(size, seed=i) for i, size in enumerate(sizes)]
    for part, content in zip(parts, contents, strict=True):
        store.put(part, content)
    key = staged_key("result.jsonl")

    size = store.compose(key, parts)

    assert size == sum(sizes) == store.size(key)
    with store.open(key) as stream:
        assert stream.read() == b"".join(contents)


def test_composing_many_small_segments_keeps_them_in_order(store_backend: Backend) -> None:
    store = store_backend.store
    parts = [staged_key(f"segment-{i}") for i in range(25)]
    for i, part in enumerate(parts):
        store.put(part, f'{{"__lineNumber":{i}}}\n'.encode())
    key = staged_key("result.jsonl")

    store.compose(key, parts)

    with store.open(key) as stream:
        assert [orjson.loads(line)["__lineNumber"] for line in stream] == list(range(25))


def test_composing_with_a_missing_part_fails_and_leaves_no_result(store_backend: Backend) -> None:
    store = store_backend.store
    present = staged_key("part-0")
    store.put(present, blob(6 * MIB, seed=3))
    key = staged_key("result.jsonl")

    with pytest.raises(FileNotFoundError):
        store.compose(key, [present, staged_key("missing")])

    assert store.size(key) is None


def test_composing_no_parts_makes_an_empty_object(store_backend: Backend) -> None:
    """The engine then reports no result file (an operation with no lines has ``url: null``)."""
    key = staged_key("result.jsonl")

    assert store_backend.store.compose(key, []) == 0
    assert store_backend.store.size(key) == 0


def test_a_deleted_object_is_gone_and_deleting_it_again_is_harmless(store_backend: Backend) -> None:
    store, key = store_backend.store, staged_key()
    store.put(key, LINES)

    store.delete(key)
    store.delete(key)

    assert store.size(key) is None


def test_a_download_url_serves_the_file_as_a_jsonl_attachment_named_after_the_operation(backend: Backend) -> None:
    store, key = backend.store, staged_key("result.jsonl")
    store.put(key, LINES)

    response = httpx.get(store.download_url(key, "bulk-42.jsonl", in_an_hour(), backend.base_url))

    assert response.status_code == 200
    assert response.content == LINES
    assert response.headers["content-disposition"] == DISPOSITION
    assert response.headers["content-type"].split(";")[0] == "application/jsonl"


def test_an_upload_target_takes_its_fields_in_order_then_the_file_and_answers_201(backend: Backend) -> None:
    store, key = backend.store, staged_key()
    target = store.upload_target(key, "text/jsonl", 100 * MIB, in_an_hour(), backend.base_url)

    response = httpx.post(target.url, data=dict(target.parameters),
                          files={"file": ("vars.jsonl", LINES, "text/jsonl")})

    assert response.status_code == 201
    assert dict(target.parameters)["key"] == key
    assert [name for name, _ in target.parameters][:2] == ["Content-Type", "success_action_status"]
    assert store.size(key) == len(LINES)


def test_an_upload_policy_binds_the_exact_key_type_size_range_and_expiry(backend: Backend) -> None:
    """The signed policy is what the storage enforces: an upload to another key, of another type, of 0 bytes
    or over the limit, or after the expiry, does not match it."""
    key, expires_at = staged_key(), in_an_hour()
    target = backend.store.upload_target(key, "text/jsonl", 104857600, expires_at, backend.base_url)

    policy = orjson.loads(base64.b64decode(dict(target.parameters)["policy"]))

    conditions = policy["conditions"]
    assert {"key": key} in conditions
    assert {"Content-Type": "text/jsonl"} in conditions
    assert {"success_action_status": "201"} in conditions
    assert ["content-length-range", 1, 104857600] in conditions
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((expiration - expires_at).total_seconds()) <= 2


def test_a_put_url_takes_the_raw_file_and_its_path_ends_with_the_key(backend: Backend) -> None:
    store, key = backend.store, staged_key()
    url = store.put_url(key, "text/jsonl", in_an_hour(), backend.base_url)

    response = httpx.put(url, content=LINES, headers={"Content-Type": "text/jsonl"})

    assert response.status_code == 200
    assert urllib.parse.unquote(urllib.parse.urlparse(url).path).endswith("/" + key)
    assert store.size(key) == len(LINES)


def test_keys_lists_the_objects_under_a_folder_in_order(store_backend: Backend) -> None:
    """What the start-up sweep reads to find leftover segments."""
    folder = f"bulk-operations/{uuid.uuid4().hex[:8]}/"
    for key in ("9/segments/00000001.jsonl", "9/segments/00000000.jsonl", "9/bulk-9.jsonl"):
        store_backend.store.put(folder + key, b"{}\n")
    store_backend.store.put(folder.rstrip("/") + "-other/1.jsonl", b"{}\n")

    assert store_backend.store.keys(folder) == [folder + "9/bulk-9.jsonl", folder + "9/segments/00000000.jsonl",
                                                folder + "9/segments/00000001.jsonl"]
    assert store_backend.store.remove_temporary(folder) == 0, "whole writes leave nothing temporary"
