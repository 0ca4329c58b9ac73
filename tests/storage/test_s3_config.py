"""An S3 store that cannot be used stops ``bulkops serve`` and ``worker`` at start with one line and the fix
(exit code 2): no credentials, a bucket that does not exist, an endpoint nobody answers at. A public endpoint,
when clients reach S3 by another name than the server does, is the one the presigned URLs name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from typer.testing import CliRunner, Result

from bulkops.app.bootstrap import build_store, open_database
from bulkops.app.deployment import recorded
from bulkops.cli import app
from bulkops.clock import SystemClock
from bulkops.config import Settings, settings_from_env
from bulkops.storage.signing import Signer
from tests.app.test_config import refused
from tests.storage.conftest import AWS_TEST_ENV, new_bucket

NO_CREDENTIALS = {key: value for key, value in AWS_TEST_ENV.items()
                  if key not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}


def serve(data_dir: Path, *flags: str) -> Result:
    return CliRunner().invoke(app, ["serve", "--data-dir", str(data_dir), "--port", "1", *flags])


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_missing_aws_credentials_are_one_line_and_the_fix(aws_env: pytest.MonkeyPatch, s3_endpoint: str,
                                                          tmp_path: Path) -> None:
    bucket = new_bucket(s3_endpoint)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        aws_env.delenv(key, raising=False)

    result = serve(tmp_path, "--storage", f"s3://{bucket}", "--s3-endpoint-url", s3_endpoint)

    assert f"no AWS credentials for the S3 bucket '{bucket}'" in refused(result)
    assert "AWS_ACCESS_KEY_ID" in result.stderr


def test_a_missing_bucket_is_one_line_and_records_no_deployment(aws_env: pytest.MonkeyPatch, s3_endpoint: str,
                                                               tmp_path: Path) -> None:
    result = serve(tmp_path, "--storage", "s3://bulkops-no-such-bucket", "--s3-endpoint-url", s3_endpoint)

    assert f"the S3 bucket 'bulkops-no-such-bucket' does not exist at {s3_endpoint}" in refused(result)
    assert "aws s3 mb s3://bulkops-no-such-bucket" in result.stderr
    db = open_database(Settings(data_dir=tmp_path))
    assert recorded(db) is None, "a start that failed must not fix the deployment's storage"
    db.dispose()


def test_a_worker_takes_storage_from_its_flags(aws_env: pytest.MonkeyPatch, s3_endpoint: str, tmp_path: Path) -> None:
    """``bulkops worker --storage`` exists: its bucket is checked like the server's (before the queue)."""
    result = CliRunner().invoke(app, ["worker", "--data-dir", str(tmp_path), "--queue-url", "redis://127.0.0.1:1/0",
                                      "--storage", "s3://bulkops-no-such-bucket", "--s3-endpoint-url", s3_endpoint])

    assert "the S3 bucket 'bulkops-no-such-bucket' does not exist" in refused(result)


def test_an_unreachable_s3_endpoint_is_one_line(aws_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = serve(tmp_path, "--storage", "s3://bucket", "--s3-endpoint-url", "http://127.0.0.1:1")

    assert "cannot reach the S3 endpoint http://127.0.0.1:1" in refused(result)


def test_presigned_urls_name_the_public_endpoint_and_work_there_while_the_server_uses_its_own(
        aws_env: pytest.MonkeyPatch, s3_endpoint: str) -> None:
    """As in compose.yaml: the server reaches MinIO as ``minio:9000``, clients on the host as ``127.0.0.1:9000``.
    Here the server's endpoint is moto's by IP and the public one the same port by the name ``localhost``."""
    port = urlsplit(s3_endpoint).port
    aws_env.setenv("BULKOPS_S3_PUBLIC_ENDPOINT_URL", f"http://localhost:{port}")
    settings = settings_from_env(storage_url=f"s3://{new_bucket(s3_endpoint)}", s3_endpoint_url=s3_endpoint,
                                 s3_addressing_style="path")
    store = build_store(settings, Signer("unused"))
    expires = SystemClock().now() + timedelta(hours=1)

    target = store.upload_target("tmp/bulk/public.jsonl", "text/jsonl", 1024, expires, "http://unused.invalid")
    uploaded = httpx.post(target.url, data=dict(target.parameters),
                          files={"file": ("public.jsonl", b'{"a":1}\n', "text/jsonl")})
    download = store.download_url("tmp/bulk/public.jsonl", "public.jsonl", expires, "http://unused.invalid")

    assert urlsplit(target.url).netloc == f"localhost:{port}" and uploaded.status_code == 201, uploaded.text
    assert urlsplit(download).netloc == f"localhost:{port}" and httpx.get(download).content == b'{"a":1}\n'
    assert store.client.meta.endpoint_url == s3_endpoint  # type: ignore[attr-defined]
    assert store.size("tmp/bulk/public.jsonl") == 8  # the server's own requests: on its endpoint
