"""An export's life over HTTP: counters that rise while it runs, cancel, and the order of a normal query kept
across batches (spec 4.3, 5). The time limit and a crash in the middle are specified in-process
(test_engine_rules.py); the import's HTTP tests cover both end to end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulkops.app.bootstrap import open_database
from bulkops.client import BulkClient
from bulkops.clock import SystemClock
from bulkops.config import SettingsOverrides, settings_from_env
from bulkops.domain.shops.rules import Shop
from bulkops.domain.shops.seed import seed_shop
from tests.server import InProcessServer

PRODUCTS_WITH_VARIANTS = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }"
SMALL_CHUNKS: SettingsOverrides = {"chunk_lines": 1}
"""One product per batch, four per chunk: the export's pace is set by its chunk records (each segment fsync'd,
each record committed), not by how fast rows are read, so it outlives a poll, a cancel or a short time limit."""


def seeded_shop(server: InProcessServer, products: int, variants: int = 3) -> Shop:
    shop = server.new_shop("seeded")
    db = open_database(settings_from_env(data_dir=server.data_dir))
    try:
        seed_shop(db, shop.id, products_count=products, variants_per_product=variants, now=SystemClock().now())
    finally:
        db.dispose()
    return shop


def wait_for_progress(client: BulkClient, operation_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.operation(operation_id)
        if int(state["objectCount"]) > 0 or state["status"] not in ("CREATED", "RUNNING"):
            return state
        time.sleep(0.02)
    raise AssertionError(f"no progress on {operation_id}")


def check_whole_products(lines: list[dict[str, Any]], variants: int = 3) -> None:
    """Every exported product is followed (somewhere after it) by exactly its variants, none twice."""
    seen: set[str] = set()
    children: dict[str, int] = {}
    for line in lines:
        assert line["id"] not in seen
        seen.add(line["id"])
        if "__parentId" in line:
            assert line["__parentId"] in seen
            children[line["__parentId"]] = children.get(line["__parentId"], 0) + 1
    assert set(children.values()) <= {variants}


@pytest.fixture(scope="module")
def chunky_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    process = InProcessServer(Path(tmp_path_factory.mktemp("chunky-exports")), SMALL_CHUNKS).start()
    yield process
    process.stop()


def test_counters_rise_while_the_export_runs_and_end_at_what_was_written(chunky_server: InProcessServer) -> None:
    client = chunky_server.client(seeded_shop(chunky_server, 3_000))
    operation = client.run_query(PRODUCTS_WITH_VARIANTS)["bulkOperation"]["id"]

    states = list(client.follow(operation, interval=0.02, timeout=300))
    done = states[-1]
    lines = client.results(done["url"])

    counts = [(int(s["objectCount"]), int(s["rootObjectCount"])) for s in states]
    assert counts == sorted(counts)
    assert any(s["status"] == "RUNNING" and 0 < int(s["objectCount"]) < 12_000 for s in states)
    assert done["status"] == "COMPLETED"
    assert done["objectCount"] == "12000" and done["rootObjectCount"] == "3000"
    assert len(lines) == 12_000
    check_whole_products(lines)


def test_cancel_stops_a_running_export_and_keeps_what_was_written(chunky_server: InProcessServer) -> None:
    client = chunky_server.client(seeded_shop(chunky_server, 10_000))
    operation = client.run_query(PRODUCTS_WITH_VARIANTS)["bulkOperation"]["id"]
    wait_for_progress(client, operation)

    canceling = client.cancel(operation)
    done = client.wait(operation, timeout=60)

    assert canceling["userErrors"] == [] and canceling["bulkOperation"]["status"] in ("CANCELING", "CANCELED")
    assert done["status"] == "CANCELED" and done["completedAt"] is None
    kept, roots = int(done["objectCount"]), int(done["rootObjectCount"])
    assert 0 < roots < 10_000 and kept == 4 * roots
    lines = client.results(done["url"])
    assert len(lines) == kept
    check_whole_products(lines)


def ids_of_a_normal_query(client: BulkClient, arguments: str) -> list[str]:
    ids: list[str] = []
    after = ""
    while True:
        answered = client.graphql(f"{{ products(first: 250, {arguments}{after}) {{ edges {{ node {{ id }} }} "
                                  "pageInfo { hasNextPage endCursor } } }")["data"]["products"]
        ids += [edge["node"]["id"] for edge in answered["edges"]]
        if not answered["pageInfo"]["hasNextPage"]:
            return ids
        after = f', after: "{answered["pageInfo"]["endCursor"]}"'


@pytest.mark.parametrize("selection", [
    "id",  # plain columns: read through the driver
    "id seo { title }",  # an object field: whole rows through the presenter
])
@pytest.mark.parametrize("arguments", [
    "sortKey: VENDOR",  # six vendors: ties broken by id across batch boundaries
    "sortKey: CREATED_AT, reverse: true",
    "sortKey: PUBLISHED_AT",  # never published: every sort value is null
])
def test_an_export_read_one_product_per_batch_keeps_the_order_of_a_normal_query(chunky_server: InProcessServer,
                                                                                 arguments: str,
                                                                                 selection: str) -> None:
    client = chunky_server.client(seeded_shop(chunky_server, 60))

    done = client.wait(client.run_query(f"{{ products({arguments}) {{ edges {{ node {{ {selection} }} }} }} }}")
                       ["bulkOperation"]["id"])

    assert done["status"] == "COMPLETED" and done["rootObjectCount"] == "60"
    assert [line["id"] for line in client.results(done["url"])] == ids_of_a_normal_query(client, arguments)
