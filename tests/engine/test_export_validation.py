"""``bulkOperationRunQuery`` refuses what Shopify refuses, with Shopify's words (spec 4.2), and limits how many
exports run at once per API version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkops.client import BulkClient
from tests.server import InProcessServer

PRODUCTS = "{ products { edges { node { id title } } } }"

NO_CONNECTION = "{ shop { id } }"
SIX_CONNECTIONS = """{ products { edges { node { id
  variants { edges { node { id } } }
  metafields { edges { node { id } } }
  collections { edges { node { id } } }
  media { edges { node { id } } }
  sellingPlanGroups { edges { node { id } } }
} } } }"""
DEPTH_THREE = """{ collections { edges { node { id
  products { edges { node { id
    variants { edges { node { id
      metafields { edges { node { id } } }
    } } }
  } } }
} } } }"""
TOP_LEVEL_NODE = '{ node(id: "gid://shopify/Product/0") { id } }'
TOP_LEVEL_NODES = '{ nodes(ids: ["gid://shopify/Product/0"]) { id } }'
NODES_INSTEAD_OF_EDGES = "{ products { nodes { id title } } }"
NESTED_WITHOUT_PARENT_ID = "{ products { edges { node { title variants { edges { node { id } } } } } } }"
NESTED_WITH_ALIASED_PARENT_ID = "{ products { edges { node { pid: id variants { edges { node { id } } } } } } }"
A_MUTATION = 'mutation { productCreate(input: { title: "Bulk validator invalid operation type" }) { product { id } } }'
CONNECTION_IN_LIST = "{ orders { edges { node { id fulfillments { events { edges { node { id } } } } } } } }"
UNKNOWN_FIELD = "{ products { edges { node { id nope } } } }"
UNFINISHED = "{ products { edges { node { id }"

RUN = """mutation run($query: String!) { bulkOperationRunQuery(query: $query) {
  bulkOperation { id status type query } userErrors { field message code } } }"""


def refusal(client: BulkClient, query: str) -> list[dict]:
    payload = client.graphql(RUN, {"query": query})["data"]["bulkOperationRunQuery"]
    assert payload["bulkOperation"] is None
    return payload["userErrors"]


def invalid(*messages: str) -> list[dict]:
    return [{"field": ["query"], "message": m, "code": "INVALID"} for m in messages]


def test_a_query_without_a_connection_is_refused(shop_client: BulkClient) -> None:
    assert refusal(shop_client, NO_CONNECTION) == invalid("Bulk queries must contain at least one connection.")


def test_more_than_five_connections_are_refused(shop_client: BulkClient) -> None:
    assert refusal(shop_client, SIX_CONNECTIONS) == invalid("Bulk queries cannot contain more than 5 connections.")


def test_connections_nested_deeper_than_two_are_refused(shop_client: BulkClient) -> None:
    assert refusal(shop_client, DEPTH_THREE) == invalid(
        "Bulk queries cannot contain connections with a nesting depth greater than 2.")


def test_a_top_level_node_is_refused_together_with_the_missing_connection(shop_client: BulkClient) -> None:
    assert refusal(shop_client, TOP_LEVEL_NODE) == invalid(
        "Bulk queries cannot contain a top level `node` field.",
        "Bulk queries must contain at least one connection.",
    )


def test_a_top_level_nodes_is_refused_too(shop_client: BulkClient) -> None:
    assert refusal(shop_client, TOP_LEVEL_NODES) == invalid(
        "Bulk queries cannot contain a top level `nodes` field.",
        "Bulk queries must contain at least one connection.",
    )


def test_a_connection_read_through_nodes_instead_of_edges_is_refused(shop_client: BulkClient) -> None:
    assert refusal(shop_client, NODES_INSTEAD_OF_EDGES) == invalid(
        "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: "
        "'products { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: 'products'.")


@pytest.mark.parametrize("query", [NESTED_WITHOUT_PARENT_ID, NESTED_WITH_ALIASED_PARENT_ID])
def test_the_parent_of_a_nested_connection_must_select_an_unaliased_id(shop_client: BulkClient, query: str) -> None:
    assert refusal(shop_client, query) == invalid(
        "The parent 'node' field for a nested connection must select the 'id' field without an alias and must be "
        "of 'ID' return type. Connection fields without 'id': products.")


def test_only_query_operations_are_accepted(shop_client: BulkClient) -> None:
    assert refusal(shop_client, A_MUTATION) == invalid(
        "Invalid operation type. Only `query` operations are supported.")


def test_a_connection_inside_a_list_field_is_refused(shop_client: BulkClient) -> None:
    assert refusal(shop_client, CONNECTION_IN_LIST) == invalid(
        "Queries that contain a connection field within a list field are not currently supported.")


def test_an_empty_query_is_a_syntax_error(shop_client: BulkClient) -> None:
    assert refusal(shop_client, "") == invalid("Invalid bulk query: syntax error, unexpected end of file")


def test_an_unfinished_query_is_a_syntax_error_with_its_position(shop_client: BulkClient) -> None:
    assert refusal(shop_client, UNFINISHED) == invalid(
        "Invalid bulk query: syntax error, unexpected end of file at [1, 32]")


def test_a_field_the_schema_lacks_is_refused_in_shopify_words(shop_client: BulkClient) -> None:
    assert refusal(shop_client, UNKNOWN_FIELD) == invalid(
        "Invalid bulk query: Field 'nope' doesn't exist on type 'Product'")


def test_a_query_over_65535_bytes_is_too_large(shop_client: BulkClient) -> None:
    padded = PRODUCTS + "#" * (65_536 - len(PRODUCTS))

    assert refusal(shop_client, padded) == invalid("Query is too large (65536 bytes; maximum is 65535 bytes)")


def test_a_query_of_exactly_65535_bytes_is_accepted(shop_client: BulkClient) -> None:
    padded = PRODUCTS + "#" * (65_535 - len(PRODUCTS))

    assert shop_client.run_query(padded)["userErrors"] == []


def test_a_connection_this_server_cannot_read_is_refused_up_front_with_its_name(shop_client: BulkClient) -> None:
    assert refusal(shop_client, "{ locations { edges { node { id } } } }") == invalid(
        "Bulk queries on this server cannot export the top-level connection 'locations' yet.")


def test_an_accepted_query_starts_a_created_query_operation_echoing_the_query(shop_client: BulkClient) -> None:
    payload = shop_client.graphql(RUN, {"query": PRODUCTS})["data"]["bulkOperationRunQuery"]

    assert payload["userErrors"] == []
    assert payload["bulkOperation"]["status"] == "CREATED"
    assert payload["bulkOperation"]["type"] == "QUERY"
    assert payload["bulkOperation"]["query"] == PRODUCTS


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """No workers: started exports stay CREATED, so the concurrency limit can be observed exactly."""
    process = InProcessServer(Path(tmp_path_factory.mktemp("idle-exports")), {"workers": 0}).start()
    yield process
    process.stop()


def test_before_2026_01_a_second_export_waits_for_the_first(idle_server: InProcessServer) -> None:
    client = idle_server.client(idle_server.new_shop(), version="2025-10")
    first = client.run_query(PRODUCTS)["bulkOperation"]["id"]

    assert refusal(client, PRODUCTS) == [{
        "field": None, "code": "OPERATION_IN_PROGRESS",
        "message": f"A bulk query operation for this app and shop is already in progress: {first}.",
    }]


def test_from_2026_01_five_exports_may_run_and_the_sixth_lists_them(idle_server: InProcessServer) -> None:
    client = idle_server.client(idle_server.new_shop(), version="2026-01")
    running = [client.run_query(PRODUCTS)["bulkOperation"]["id"] for _ in range(5)]

    assert refusal(client, PRODUCTS) == [{
        "field": None, "code": "OPERATION_IN_PROGRESS",
        "message": f"A bulk query operation for this app and shop is already in progress: {', '.join(running)}.",
    }]


def test_a_query_document_error_is_reported_before_operation_in_progress(idle_server: InProcessServer) -> None:
    client = idle_server.client(idle_server.new_shop(), version="2025-10")
    client.run_query(PRODUCTS)

    assert refusal(client, NO_CONNECTION) == invalid("Bulk queries must contain at least one connection.")


def test_an_export_canceled_before_it_started_ends_canceled_without_a_file(idle_server: InProcessServer) -> None:
    client = idle_server.client(idle_server.new_shop(), version="2025-10")
    operation = client.run_query(PRODUCTS)["bulkOperation"]["id"]

    canceled = client.cancel(operation)

    assert canceled["userErrors"] == []
    assert canceled["bulkOperation"]["status"] == "CANCELING"
    assert client.run_query(PRODUCTS)["userErrors"] == []
