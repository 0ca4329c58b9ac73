"""An export's life: counters that rise while it runs, cancel, the time limit with partial data, and a crash
in the middle that resumes without losing or repeating a line (spec 4.3, 5)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulkops.app.bootstrap import open_database
from bulkops.client import BulkClient
from bulkops.clock import SystemClock
from bulkops.config import settings_from_env
from bulkops.domain.shops.rules import Shop
from bulkops.domain.shops.seed import seed_shop
from tests.server import ServerProcess

PRODUCTS_WITH_VARIANTS = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }"
SMALL_CHUNKS = {"BULKOPS_CHUNK_LINES": "1"}
"""One product per batch, four per chunk: the export's pace is set by its chunk records (each segment fsync'd,
each record committed), not by how fast rows are read, so it outlives a poll, a cancel or a short time limit."""


def seeded_shop(server: ServerProcess, products: int, variants: int = 3) -> Shop:
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
def chunky_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(Path(tmp_path_factory.mktemp("chunky-exports")), env=SMALL_CHUNKS).start()
    yield process
    process.stop()


def test_counters_rise_while_the_export_runs_and_end_at_what_was_written(chunky_server: ServerProcess) -> None:
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


def test_cancel_stops_a_running_export_and_keeps_what_was_written(chunky_server: ServerProcess) -> None:
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


def test_an_export_past_its_time_limit_fails_with_timeout_and_partial_data(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "slow", env={**SMALL_CHUNKS, "BULKOPS_QUERY_TIME_LIMIT": "1.5"}).start()
    try:
        client = server.client(seeded_shop(server, 10_000))
        done = client.wait(client.run_query(PRODUCTS_WITH_VARIANTS)["bulkOperation"]["id"], timeout=120)
        partial = client.results(done["partialDataUrl"])
    finally:
        server.stop()

    assert done["status"] == "FAILED" and done["errorCode"] == "TIMEOUT"
    assert done["url"] is None and done["completedAt"] is not None
    assert 0 < len(partial) < 40_000 and len(partial) == int(done["objectCount"])
    check_whole_products(partial)


def test_a_server_killed_mid_export_resumes_without_losing_or_repeating_a_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "crash"
    first = ServerProcess(data_dir, env=SMALL_CHUNKS).start()
    shop = seeded_shop(first, 3_000)
    operation = first.client(shop).run_query(PRODUCTS_WITH_VARIANTS, group_objects=True)["bulkOperation"]["id"]
    before = wait_for_progress(first.client(shop), operation)
    first.kill()

    second = ServerProcess(data_dir, env=SMALL_CHUNKS).start()
    try:
        done = second.client(shop).wait(operation, timeout=300)
        body = second.client(shop).download(done["url"])
    finally:
        second.stop()

    assert before["status"] == "RUNNING" and int(before["rootObjectCount"]) < 3_000
    assert done["status"] == "COMPLETED"
    assert done["objectCount"] == "12000" and done["rootObjectCount"] == "3000"
    lines = [orjson.loads(line) for line in body.splitlines()]
    assert len(lines) == 12_000 and int(done["fileSize"]) == len(body)
    check_whole_products(lines)
    assert ["__parentId" in line for line in lines] == [False, True, True, True] * 3_000


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
def test_an_export_read_one_product_per_batch_keeps_the_order_of_a_normal_query(chunky_server: ServerProcess,
                                                                                 arguments: str,
                                                                                 selection: str) -> None:
    client = chunky_server.client(seeded_shop(chunky_server, 60))

    done = client.wait(client.run_query(f"{{ products({arguments}) {{ edges {{ node {{ {selection} }} }} }} }}")
                       ["bulkOperation"]["id"])

    assert done["status"] == "COMPLETED" and done["rootObjectCount"] == "60"
    assert [line["id"] for line in client.results(done["url"])] == ids_of_a_normal_query(client, arguments)
