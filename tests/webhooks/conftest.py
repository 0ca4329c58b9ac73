from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server import ServerProcess

FAST_RETRIES = {"BULKOPS_WEBHOOK_RETRY_SCHEDULE": "0.5,0.5,0.5", "BULKOPS_WEBHOOK_TIMEOUT": "3"}
"""Three retries half a second apart and a 3 s timeout (room for a loaded machine), so retry tests run in seconds."""


@pytest.fixture(scope="session")
def webhook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose webhook retries are fast; each test makes its own shops."""
    process = ServerProcess(tmp_path_factory.mktemp("webhooks"), env=FAST_RETRIES).start()
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
