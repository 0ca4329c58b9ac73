"""One token holder cannot take the server's memory: bodies, requested cost, depth and aliases are bounded,
with Shopify's error where Shopify has one (spec 1.4), and parsed documents are kept within a memory budget."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.client import BulkClient
from bulkops.config import MB, Settings
from bulkops.graphql.limits import MAX_COST_MESSAGE
from tests.server import InProcessServer

VERSION = "2026-10"


@pytest.fixture
def client(clocked_server: InProcessServer) -> Iterator[BulkClient]:
    client = clocked_server.client(clocked_server.new_shop())
    yield client
    client.close()


def post(client: BulkClient, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return client.http.post(f"/admin/api/{VERSION}/graphql.json", content=body,
                            headers={"Content-Type": content_type})


def aliases(count: int, prefix: str = "a") -> str:
    return "{ " + " ".join(f"{prefix}{i}: __typename" for i in range(count)) + " }"


def test_a_body_over_a_megabyte_is_refused_with_a_413(client: BulkClient) -> None:
    padding = " " * MB
    response = post(client, orjson.dumps({"query": "{ shop { name } }" + padding}))

    assert response.status_code == 413
    assert response.json() == {"errors": [{
        "message": f"The request body is too large: the maximum is {MB} bytes.",
        "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
    assert post(client, orjson.dumps({"query": "{ shop { name } }" + padding[:-1000]})).status_code == 200


def test_a_body_sent_in_chunks_without_a_length_is_cut_off_at_the_limit(client: BulkClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ shop { name } }'
        for _ in range(20):
            yield b" " * 100_000
        yield b'"}'

    response = post(client, chunks())  # type: ignore[arg-type]

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_query_above_1000_points_gets_shopifys_max_cost_exceeded_and_does_not_run(client: BulkClient) -> None:
    query = "{ products(first: 250) { nodes { id variants(first: 10) { nodes { id } } } } }"

    body = client.graphql(query)

    cost = 2 + 250 * (1 + 2 + 10 * 1)
    assert body == {"errors": [{
        "message": MAX_COST_MESSAGE.format(cost=cost, max_cost=1000),
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": 1000,
                       "documentation": "https://shopify.dev/api/usage/rate-limits"}}]}
    assert body["errors"][0]["message"].startswith(
        f"Query cost is {cost}, which exceeds the single query max cost limit (1000).")


def test_the_cost_counts_named_fragments_and_variables(client: BulkClient) -> None:
    query = """query($n: Int!) { products(first: $n) { nodes { ...Parts } } }
               fragment Parts on Product { id variants(first: 10) { nodes { id } } }"""

    refused = client.graphql(query, {"n": 100})
    allowed = client.graphql(query, {"n": 50})

    assert refused["errors"][0]["extensions"]["cost"] == 2 + 100 * 13
    assert "errors" not in allowed and allowed["extensions"]["cost"]["requestedQueryCost"] == 2 + 50 * 13


def test_a_cost_beyond_64_bits_is_refused_not_an_internal_error(client: BulkClient) -> None:
    query = ("query($n: Int!) { products(first: $n) { nodes { variants(first: $n) { nodes { "
             "metafields(first: $n) { nodes { id } } } } } } }")

    body = client.graphql(query, {"n": 2**31 - 1})

    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["extensions"]["cost"] == 2**53 - 1, "capped where a JSON number stops being exact"


def test_a_query_nested_too_deeply_is_refused(client: BulkClient) -> None:
    deep = "{ shop { " + "metafields(first: 1) { nodes { owner { ... on Shop { " * 8 + "id" + " } } } }" * 8 + " } }"

    body = client.graphql(deep)

    assert body == {"errors": [{"message": "Query has depth of 26, which exceeds max depth of 25",
                                "extensions": {"code": "MAX_DEPTH_EXCEEDED", "depth": 26, "maxDepth": 25}}]}


def test_aliases_are_counted_through_fragments_and_bounded(client: BulkClient) -> None:
    spread = "query { ...Many ...Many } fragment Many on QueryRoot " + aliases(600)

    body = client.graphql(spread)

    assert body == {"errors": [{"message": "Query has 1200 aliases, which exceeds the max of 1000",
                                "extensions": {"code": "MAX_ALIASES_EXCEEDED", "aliases": 1200,
                                               "maxAliases": 1000}}]}
    assert "errors" not in client.graphql(aliases(1000))


def test_limits_follow_the_settings(tmp_path: Path) -> None:
    settings = {"graphql_body_max_bytes": 200, "max_query_cost": 5, "max_query_depth": 3, "max_query_aliases": 1}
    with InProcessServer(tmp_path, settings) as server:  # type: ignore[arg-type]
        client = server.client(server.new_shop())
        assert post(client, orjson.dumps({"query": "{ shop { name } }" + " " * 200})).status_code == 413
        assert client.graphql("{ bulkOperations(first: 5) { nodes { id } } }")["errors"][0]["extensions"] == {
            "code": "MAX_COST_EXCEEDED", "cost": 7, "maxCost": 5,
            "documentation": "https://shopify.dev/api/usage/rate-limits"}
        deep = client.graphql("{ bulkOperations(first: 1) { edges { node { id } } } }")
        assert deep["errors"][0]["extensions"] == {"code": "MAX_DEPTH_EXCEEDED", "depth": 4, "maxDepth": 3}
        assert client.graphql(aliases(2))["errors"][0]["extensions"]["maxAliases"] == 1
        assert "errors" not in client.graphql("{ shop { name } }")
        client.close()


def test_settings_read_the_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bulkops.config import settings_from_env

    monkeypatch.setenv("BULKOPS_MAX_QUERY_COST", "2000")
    monkeypatch.setenv("BULKOPS_GRAPHQL_BODY_MAX_BYTES", "123")
    settings = settings_from_env()

    assert (settings.max_query_cost, settings.graphql_body_max_bytes) == (2000, 123)
    assert Settings().max_query_cost == 1000 and Settings().graphql_body_max_bytes == MB


def rss_bytes() -> int:
    """This process's resident memory, once the garbage is collected and C's allocator has handed back what
    it holds free (threads' arenas keep freed large blocks otherwise: not held by anyone, yet resident)."""
    gc.collect()
    ctypes.CDLL(None).malloc_trim(0)
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))


def test_a_hundred_distinct_large_requests_leave_memory_where_it_was(client: BulkClient) -> None:
    """Each request is cheap to refuse but was kept whole (its text and operation name, the error quoting it):
    about 100 MB for these, before parsed documents were kept within a memory budget."""

    def request(n: int) -> bytes:
        name = f"Op{n}" + "x" * 500_000
        return orjson.dumps({"query": f"query Only{n} {{ a{n}: __typename }}", "operationName": name})

    for warm in range(3):  # the allocator's arenas, made before measuring
        post(client, request(-warm - 1))
    before = rss_bytes()

    for n in range(100):
        response = post(client, request(n))
        assert response.json()["errors"][0]["message"].startswith(f"No operation named 'Op{n}xxx")

    grown = rss_bytes() - before
    assert grown < 50 * MB, f"RSS grew {grown / MB:.0f} MB over 100 distinct large requests"


def test_alias_heavy_queries_are_kept_within_the_memory_budget() -> None:
    """What the parse cache keeps of large documents stays within its budget (the estimate is checked against
    what the documents really take, measured by tracemalloc, on a 1 MB budget)."""
    import tracemalloc

    from bulkops.graphql.execution import PreparedCache, prepare_request
    from bulkops.graphql.limits import QueryLimits
    from bulkops.graphql.schema import schema_for_version

    schema = schema_for_version(VERSION)
    cache = PreparedCache(MB)
    prepare_request(schema, aliases(5, "warm"), None, QueryLimits(), cache)
    tracemalloc.start()
    try:
        for n in range(30):
            assert prepare_request(schema, aliases(100, f"q{n}_"), None, QueryLimits(), cache).errors == []
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert cache.total_bytes <= MB and 0 < len(cache) < 30
    assert kept < MB, f"{kept / MB:.1f} MB kept: the estimate is too low"
