from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bulkops.client import BulkClient
from bulkops.config import SettingsOverrides
from tests.server import InProcessServer, ServerProcess

pytest_plugins = ("pytester",)


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """A command run in this process (typer's CliRunner) points the root logger at the output it captures, which
    is closed when the command ends: later tests get the root logger as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


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


FAILING_FAST: SettingsOverrides = {
    "mutation_time_limit_s": 0.0,
    "webhook_retry_schedule_s": (0.1,),
    "webhook_timeout_s": 3.0,
    "webhook_remove_after_failures": 2,
}
"""Every import fails with TIMEOUT as soon as a worker picks it up (a zero time limit), so each finish costs
milliseconds; a delivery gives up after 2 tries 0.1 s apart, and 2 given up in a row remove the subscription."""


@pytest.fixture(scope="session")
def failing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """A server whose imports all time out and whose failing subscriptions go quickly (in this process, on the
    system clock); each test makes its shops."""
    process = InProcessServer(tmp_path_factory.mktemp("failing-webhooks"), FAILING_FAST, frozen=False).start()
    yield process
    process.stop()
