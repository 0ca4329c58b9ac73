"""An S3 store that cannot be used stops ``bulkops serve`` and ``worker`` at start with one line and the fix
(exit code 2): no credentials, a bucket that does not exist, an endpoint nobody answers at."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bulkops.app.bootstrap import open_database
from bulkops.app.deployment import recorded
from bulkops.cli import app
from bulkops.config import Settings
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
