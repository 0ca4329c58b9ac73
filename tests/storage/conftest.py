"""The two file stores behind one seam: the local directory (served by a real ``bulkops serve``) and an
S3-compatible bucket on moto's server, started here on a free loopback port (no network beyond loopback)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bulkops.app.bootstrap import open_database, signing_secret
from bulkops.app.deployment import secret_box
from bulkops.config import settings_from_env
from bulkops.storage.base import FileStore
from bulkops.storage.local import LocalFileStore
from bulkops.storage.memory import MemoryStore
from bulkops.storage.signing import Signer
from tests.scaleout import moto_s3
from tests.server import ServerProcess

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "bulkops-test",
    "AWS_SECRET_ACCESS_KEY": "bulkops-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/bulkops-test-aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/bulkops-test-aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""Credentials a bulkops process uses against the test S3 server (never any real account's)."""


@dataclass(frozen=True)
class Backend:
    name: str
    store: FileStore
    base_url: str
    """What the server passes as ``base_url`` (the local store's URLs point at it; S3's ignore it)."""


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


def aws_session() -> object:
    return boto3.session.Session(aws_access_key_id=AWS_TEST_ENV["AWS_ACCESS_KEY_ID"],
                                 aws_secret_access_key=AWS_TEST_ENV["AWS_SECRET_ACCESS_KEY"],
                                 region_name=AWS_TEST_ENV["AWS_DEFAULT_REGION"])


def new_bucket(endpoint: str) -> str:
    name = f"bulkops-{uuid.uuid4().hex[:12]}"
    aws_session().client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)  # type: ignore[attr-defined]
    return name


@pytest.fixture
def s3_backend(s3_endpoint: str) -> Backend:
    from bulkops.storage.s3 import S3FileStore, S3Location

    store = S3FileStore(S3Location(new_bucket(s3_endpoint), s3_endpoint), aws_session())  # type: ignore[arg-type]
    return Backend("s3", store, "http://unused.invalid")


@pytest.fixture
def local_backend(server: ServerProcess) -> Backend:
    """The running server's own files directory and signing secret: its routes serve this store's URLs."""
    settings = settings_from_env(data_dir=server.data_dir)
    db = open_database(settings)
    try:
        signer = Signer(signing_secret(db, secret_box(settings)))
    finally:
        db.dispose()
    return Backend("local", LocalFileStore(server.data_dir / "files", signer), server.base_url)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def memory_backend() -> Backend:
    """The in-memory twin the engine's in-process tests run on (no URLs are served for it)."""
    return Backend("memory", MemoryStore(), "http://unused.invalid")


@pytest.fixture(params=["local", "s3", "memory"])
def store_backend(request: pytest.FixtureRequest) -> Backend:
    """Every store the engine runs on, the twin included: what the engine relies on must hold for each."""
    return request.getfixturevalue(f"{request.param}_backend")
