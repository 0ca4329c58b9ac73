from __future__ import annotations

from collections.abc import Iterator

import pytest

from bulkops.testing import InProcessServer


@pytest.fixture(scope="session")
def client_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """The server in this process on the system clock, for the client's tests; each test makes its shops."""
    with InProcessServer(tmp_path_factory.mktemp("client-runs"), frozen=False) as running:
        yield running
