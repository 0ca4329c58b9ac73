from __future__ import annotations

from collections.abc import Iterator

import pytest

from bulkops.client import BulkClient
from tests.server import InProcessServer, ServerProcess


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


@pytest.fixture(scope="session")
def clocked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """The server in this process, on loopback, on a clock tests move (expiries without waiting). Moving it
    moves it for every test on this server: each uses its own shop and expects time to jump."""
    process = InProcessServer(tmp_path_factory.mktemp("clocked")).start()
    yield process
    process.stop()


FAILING_FAST = {
    "BULKOPS_MUTATION_TIME_LIMIT": "0",
    "BULKOPS_WEBHOOK_RETRY_SCHEDULE": "0.1",
    "BULKOPS_WEBHOOK_TIMEOUT": "3",
    "BULKOPS_WEBHOOK_REMOVE_AFTER_FAILURES": "2",
}
"""Every import fails with TIMEOUT as soon as a worker picks it up (a zero time limit), so each finish costs
milliseconds; a delivery gives up after 2 tries 0.1 s apart, and 2 given up in a row remove the subscription."""


@pytest.fixture(scope="session")
def failing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose imports all time out and whose failing subscriptions go quickly; each test makes its shops."""
    process = ServerProcess(tmp_path_factory.mktemp("failing-webhooks"), env=FAILING_FAST).start()
    yield process
    process.stop()
