"""``/__bulkops/requests``: the Shopify endpoint's calls in the order they came, with what a test checks (kind,
operation, root fields, status, error codes, cost), never a token nor a body; bounded; cleared on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.engine import request_log
from bulkops.testing import token_of
from tests.app.control.flow import CREATE_PRODUCT
from tests.server import InProcessServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path) as server:
        yield server


def test_the_log_shows_calls_in_order_with_no_token(server: InProcessServer) -> None:
    shop = server.new_shop()
    client = server.client(shop)
    client.graphql(CREATE_PRODUCT, {"product": {"title": "Snowboard"}}, operation_name="create")
    client.graphql("query listing { products(first: 5) { edges { node { id } } } shop { name } }")
    client.graphql("{ product(id: 1) { id } }")
    httpx.post(f"{server.base_url}/admin/api/2026-10/graphql.json", json={"query": "{ shop { name } }"},
               headers={"X-Shopify-Access-Token": "shpat_wrong"})

    with server.control() as control:
        logged = control.requests()

    assert [(e["kind"], e["operationName"], e["rootFields"], e["status"]) for e in logged] == [
        ("mutation", "create", ["productCreate"], 200),
        ("query", "listing", ["products", "shop"], 200),
        ("query", None, ["product"], 200),
        ("refused", None, [], 401),
    ]
    assert [e["shop"] for e in logged] == [shop.domain] * 3 + [None]
    assert logged[0]["variables"] == '{"product":{"title":"Snowboard"}}' and logged[0]["cost"] == 10
    assert logged[2]["errorCodes"] == ["argumentLiteralsIncompatible"]
    assert all(e["apiVersion"] == "2026-10" and e["durationMs"] >= 0 for e in logged)
    dumped = orjson.dumps(logged)
    assert token_of(shop).encode() not in dumped and b"shpat_" not in dumped


def test_the_log_keeps_the_newest_calls_and_is_cleared_on_demand(server: InProcessServer) -> None:
    client = server.client(server.new_shop())
    assert server.runtime is not None
    for n in range(5):
        client.graphql(f"query q{n} {{ shop {{ name }} }}", operation_name=f"q{n}")
    with server.runtime.db.write() as conn:
        request_log.record(conn, request_log.LoggedRequest(server.clock.now(), None, None, "query", "last", [],
                                                           None, 200, [], 0, None), keep=3)

    with server.control() as control:
        kept = [e["operationName"] for e in control.requests()]
        newest = [e["operationName"] for e in control.requests(limit=2)]
        cleared = control.clear_requests()
        after = control.requests()

    assert kept == ["q3", "q4", "last"] and newest == ["q4", "last"]
    assert cleared == 3 and after == []


def test_a_huge_operation_name_or_variables_are_logged_clipped(server: InProcessServer) -> None:
    client = server.client(server.new_shop())
    client.graphql("query q { shop { name } }", {"big": "x" * 10_000}, operation_name="N" * 100_000)

    with server.control() as control:
        logged = control.requests()[0]

    assert logged["operationName"] == "N" * 254 + "…" and logged["kind"] == "refused"
    assert len(logged["variables"]) == 512 and logged["variables"].endswith("…")
