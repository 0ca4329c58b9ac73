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
