"""bulkops on S3-compatible storage: a real ``bulkops serve`` whose clients upload to and download from the
bucket directly (moto's S3 server on loopback here), and the choices the S3 store makes."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.client import BulkClient
from bulkops.client.sdk import STAGED_UPLOADS_CREATE
from tests.server import ServerProcess
from tests.storage.conftest import AWS_TEST_ENV, Backend, new_bucket

CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id title } userErrors { field message } } }")
EXPORT_PRODUCTS = "{ products { edges { node { id title } } } }"
UPLOAD_LIMIT = 64 * 1024
"""The test server's staged-upload limit, small enough to exceed cheaply."""
CHUNK_LINES = 40
STORAGE_ROUTES_ANSWER = b"<Code>NoSuchBucket</Code>"


def jsonl(count: int, prefix: str = "Board") -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"{prefix} {i}"}}) + b"\n" for i in range(count))


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    return {**AWS_TEST_ENV, "BULKOPS_STORAGE_URL": f"s3://{bucket}", "BULKOPS_S3_ENDPOINT_URL": endpoint}


@pytest.fixture(scope="module")
def s3_server(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {**s3_env(s3_endpoint, new_bucket(s3_endpoint)), "BULKOPS_CHUNK_LINES": str(CHUNK_LINES),
           "BULKOPS_UPLOAD_MAX_BYTES": str(UPLOAD_LIMIT)}
    process = ServerProcess(Path(tmp_path_factory.mktemp("s3")), env=env).start()
    yield process
    process.stop()


@pytest.fixture
def client(s3_server: ServerProcess) -> Iterator[BulkClient]:
    client = s3_server.client(s3_server.new_shop())
    yield client
    client.close()


def stage_put(client: BulkClient, data: bytes) -> tuple[str, str]:
    """A PUT target: upload the raw file, return the target URL and the key (the URL path after the bucket)."""
    payload = client.graphql(STAGED_UPLOADS_CREATE, {"input": [{
        "resource": "BULK_MUTATION_VARIABLES", "filename": "vars.jsonl", "mimeType": "text/jsonl",
        "httpMethod": "PUT"}]})["data"]["stagedUploadsCreate"]
    url = payload["stagedTargets"][0]["url"]
    assert httpx.put(url, content=data, headers={"Content-Type": "text/jsonl"}).status_code == 200
    bucket_and_key = urllib.parse.unquote(urllib.parse.urlparse(url).path).lstrip("/")
    return url, bucket_and_key.split("/", 1)[1]


def test_an_import_staged_in_s3_completes_and_its_results_download_from_s3(
        client: BulkClient, s3_endpoint: str) -> None:
    path = client.stage(jsonl(100))

    done = client.wait(client.run_mutation(CREATE, path)["bulkOperation"]["id"])

    assert done["status"] == "COMPLETED" and done["objectCount"] == "100"
    assert done["url"].startswith(s3_endpoint + "/")
    body = client.download(done["url"])
    assert int(done["fileSize"]) == len(body)
    lines = [orjson.loads(line) for line in body.splitlines()]
    assert [line["__lineNumber"] for line in lines] == list(range(100))
    assert [line["data"]["productCreate"]["product"]["title"] for line in lines[:2]] == ["Board 0", "Board 1"]


def test_the_staged_upload_target_is_the_bucket_itself(client: BulkClient, s3_endpoint: str) -> None:
    payload = client.graphql(STAGED_UPLOADS_CREATE, {"input": [{
        "resource": "BULK_MUTATION_VARIABLES", "filename": "vars.jsonl", "mimeType": "text/jsonl",
        "httpMethod": "POST"}]})["data"]["stagedUploadsCreate"]

    target = payload["stagedTargets"][0]
    names = [p["name"] for p in target["parameters"]]
    assert target["url"].startswith(s3_endpoint + "/bulkops-")
    assert target["resourceUrl"] == target["url"]
    assert names[:3] == ["Content-Type", "success_action_status", "key"]
    assert {"policy", "x-amz-signature", "x-amz-credential"} <= set(names)


def test_an_import_uploaded_with_a_put_url_runs_with_the_key_as_staged_upload_path(client: BulkClient) -> None:
    _, key = stage_put(client, jsonl(3, "Put"))

    done = client.wait(client.run_mutation(CREATE, key)["bulkOperation"]["id"])

    assert done["status"] == "COMPLETED"
    assert [r["data"]["productCreate"]["product"]["title"] for r in client.results(done["url"])] == \
        ["Put 0", "Put 1", "Put 2"]


def test_a_file_over_the_limit_put_to_s3_is_refused_by_bulkOperationRunMutation(client: BulkClient) -> None:
    """A presigned PUT, like Shopify's, does not enforce the size: the run checks it (spec 2.3, 3.4)."""
    _, key = stage_put(client, jsonl(2000))

    payload = client.run_mutation(CREATE, key)

    assert payload["bulkOperation"] is None
    assert payload["userErrors"] == [{"field": None, "code": "INVALID_STAGED_UPLOAD_FILE",
                                      "message": f"The input file size exceeds the maximum allowed size of "
                                                 f"{UPLOAD_LIMIT / (1024 * 1024):g} MB."}]


def test_a_staged_path_of_another_shop_in_the_bucket_is_not_found(s3_server: ServerProcess) -> None:
    owner, other = s3_server.client(s3_server.new_shop()), s3_server.client(s3_server.new_shop())
    path = owner.stage(jsonl(1))

    payload = other.run_mutation(CREATE, path)

    assert [e["code"] for e in payload["userErrors"]] == ["NO_SUCH_FILE"]


def test_a_bulk_export_writes_its_result_to_s3(client: BulkClient, s3_endpoint: str) -> None:
    client.wait(client.run_mutation(CREATE, client.stage(jsonl(50, "Export")))["bulkOperation"]["id"])

    done = client.wait(client.run_query(EXPORT_PRODUCTS)["bulkOperation"]["id"])

    assert done["status"] == "COMPLETED" and done["objectCount"] == "50"
    assert done["url"].startswith(s3_endpoint + "/")
    rows = client.results(done["url"])
    assert sorted(row["title"] for row in rows) == sorted(f"Export {i}" for i in range(50))
    assert all(row["id"].startswith("gid://shopify/Product/") for row in rows)


def test_the_local_file_routes_answer_404_when_files_live_in_s3(s3_server: ServerProcess) -> None:
    base = s3_server.base_url

    answers = [httpx.post(f"{base}/staged-uploads", files={"file": ("a.jsonl", b"{}\n")}),
               httpx.put(f"{base}/tmp/1/bulk/x/a.jsonl?Expires=1&Signature=x", content=b"{}\n"),
               httpx.get(f"{base}/files/results/1/1/bulk-1.jsonl?Expires=1&Signature=x")]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert all(STORAGE_ROUTES_ANSWER in a.content for a in answers)


@pytest.mark.parametrize("url", ["s3://bucket/prefix", "gs://bucket", "s3://"])
def test_a_storage_url_names_an_s3_bucket_and_nothing_else(url: str) -> None:
    from bulkops.storage.s3 import parse_storage_url

    with pytest.raises(ValueError, match="storage URL must"):
        parse_storage_url(url)


@pytest.mark.parametrize(("style", "path"), [("virtual", "/{key}"), ("path", "/bulkops-urls/{key}")])
def test_a_put_url_path_is_the_key_with_virtual_host_addressing_and_starts_with_the_bucket_with_path_style(
        style: str, path: str) -> None:
    """Signing needs no request: these are the URLs an AWS bucket would be given."""
    from bulkops.storage.s3 import S3FileStore, S3Location
    from tests.storage.conftest import aws_session

    store = S3FileStore(S3Location("bulkops-urls", None, style), aws_session())  # type: ignore[arg-type]
    key = "tmp/7/bulk/0b6f3c52-93c4-4c1e-8a4e-3f0f5c1f2a10/vars.jsonl"

    url = urllib.parse.urlparse(store.put_url(key, "text/jsonl", datetime.now(UTC).replace(tzinfo=None)
                                              + timedelta(days=1), "http://unused.invalid"))

    assert url.scheme == "https" and url.hostname is not None and url.hostname.endswith("amazonaws.com")
    assert url.path == path.format(key=key)
    assert "X-Amz-Signature=" in url.query


def test_a_download_url_expires_at_the_given_time_and_never_later_than_seven_days() -> None:
    from bulkops.storage.s3 import S3FileStore, S3Location
    from tests.storage.conftest import aws_session

    store = S3FileStore(S3Location("bulkops-urls"), aws_session())  # type: ignore[arg-type]
    now = datetime.now(UTC).replace(tzinfo=None)

    def lifetime(expires_at: datetime) -> int:
        url = store.download_url("results/1/bulk-1.jsonl", "bulk-1.jsonl", expires_at, "http://unused.invalid")
        return int(urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["X-Amz-Expires"][0])

    assert 2 * 3600 - 5 <= lifetime(now + timedelta(hours=2)) <= 2 * 3600
    assert lifetime(now + timedelta(days=30)) == 7 * 24 * 3600


def test_a_failed_compose_leaves_no_unfinished_multipart_upload_in_the_bucket(s3_backend: Backend) -> None:
    """S3 keeps (and bills) the parts of an upload that was neither completed nor aborted."""
    store = s3_backend.store
    store.put("results/1/segments/0", b"x" * (6 * 1024 * 1024))

    with pytest.raises(FileNotFoundError):
        store.compose("results/1/bulk-1.jsonl", ["results/1/segments/0", "results/1/segments/missing"])

    uploads = store.client.list_multipart_uploads(Bucket=store.bucket)  # type: ignore[attr-defined]
    assert uploads.get("Uploads", []) == []
