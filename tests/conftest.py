from __future__ import annotations

from collections.abc import Iterator

import pytest

from bulkops.client import BulkClient
from tests.server import ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the session; each test gets its own shop, so tests cannot see each other."""
    process = ServerProcess(tmp_path_factory.mktemp("server")).start()
    yield process
    process.stop()


@pytest.fixture
def shop_client(server: ServerProcess) -> Iterator[BulkClient]:
    client = server.client(server.new_shop())
    yield client
    client.close()
