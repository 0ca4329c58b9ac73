"""On PostgreSQL, ids come from sequences: a reset restarts them, and products seeded with explicit ids move
them past the seeded ones (the next productCreate does not collide)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.control.flow import create_products, export_products
from tests.scaleout import fresh_database, sqlalchemy_url
from tests.server import InProcessServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with fresh_database("bulkops_reset") as url, InProcessServer(tmp_path, {"database_url": sqlalchemy_url(url)}) as s:
        yield s


def test_a_reset_restarts_the_sequences_and_a_seed_moves_them_past_the_seeded_ids(server: InProcessServer) -> None:
    client = server.client(server.new_shop())
    first = create_products(client, ["Snowboard", "Wax"])
    export_products(client)

    with server.control() as control:
        control.reset()
        again = create_products(client, ["Board"])
        op = export_products(client)
        control.reset()
        control.seed("products", count=3)
        after_seed = create_products(client, ["After"])

    assert again == first[:1] and op["id"] == "gid://shopify/BulkOperation/1"
    assert after_seed == ["gid://shopify/Product/4"]
