"""A pytest plugin for suites that test their code against bulkops: one server on loopback for the session,
reset before every test that uses it, so each test starts from an empty shop (its token stays valid).

Enable it with ``pytest -p bulkops.pytest_plugin`` (or the ``pytest11`` entry point the package declares), then::

    def test_my_sync_job(bulkops_client, bulkops_control):
        bulkops_control.seed("products", count=20, seed=1)
        ...

Fixtures: ``bulkops_server`` (a ``bulkops.testing.InProcessServer`` on real time; its ``base_url``),
``bulkops_shop`` (a shop with a known token), ``bulkops_client`` (a ``BulkClient`` of that shop),
``bulkops_control`` (a ``ControlPlane``). The server is imported only when a test asks for one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bulkops.client.control import ControlPlane
    from bulkops.client.sdk import BulkClient
    from bulkops.domain.shops.rules import Shop
    from bulkops.testing import InProcessServer

SERVER_FIXTURES = frozenset({"bulkops_server", "bulkops_shop", "bulkops_client", "bulkops_control"})


@pytest.fixture(scope="session")
def bulkops_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """bulkops serving on loopback from this process, on real time (the control plane's clock moves it)."""
    from bulkops.testing import InProcessServer

    with InProcessServer(tmp_path_factory.mktemp("bulkops"), frozen=False) as server:
        yield server


@pytest.fixture(scope="session")
def bulkops_shop(bulkops_server: InProcessServer) -> Shop:
    return bulkops_server.new_shop("test-shop")


@pytest.fixture(scope="session")
def bulkops_control(bulkops_server: InProcessServer) -> Iterator[ControlPlane]:
    with bulkops_server.control() as control:
        yield control


@pytest.fixture
def bulkops_client(bulkops_server: InProcessServer, bulkops_shop: Shop) -> Iterator[BulkClient]:
    with bulkops_server.client(bulkops_shop) as client:
        yield client


@pytest.fixture(autouse=True)
def _bulkops_fresh(request: pytest.FixtureRequest) -> None:
    """Before each test that uses the server: a reset (operations, data, webhooks, clock, request log)."""
    if SERVER_FIXTURES.isdisjoint(request.fixturenames):
        return
    control: ControlPlane = request.getfixturevalue("bulkops_control")
    control.reset()
