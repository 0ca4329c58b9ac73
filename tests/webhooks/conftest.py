from __future__ import annotations

from collections.abc import Iterator

import pytest

from bulkops.config import SettingsOverrides
from tests.server import InProcessServer

FAST_RETRIES: SettingsOverrides = {"webhook_retry_schedule_s": (0.2, 0.2, 0.2), "webhook_timeout_s": 3.0}
"""Three retries a fifth of a second apart and a 3 s timeout (room for a loaded machine), so retry tests run in seconds."""


@pytest.fixture(scope="session")
def webhook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """A server whose webhook retries are fast, in this process on the system clock; each test makes its shops."""
    process = InProcessServer(tmp_path_factory.mktemp("webhooks"), FAST_RETRIES, frozen=False).start()
    yield process
    process.stop()
