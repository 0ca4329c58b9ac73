"""bulkOperationRunMutation's synchronous checks, in Shopify's order and words (spec 3.3, 3.4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkops.client import BulkClient
from tests.server import InProcessServer, ServerProcess

CREATE = "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }"
LINE = b'{"product": {"title": "A board"}}\n'
INVALID_MUTATION = "INVALID_MUTATION"


@pytest.fixture
def staged(shop_client: BulkClient) -> str:
    return shop_client.stage(LINE)


def rejected(client: BulkClient, mutation: str, path: str, client_identifier: str | None = None) -> list[dict]:
    payload = client.run_mutation(mutation, path, client_identifier)
    assert payload["bulkOperation"] is None
    return payload["userErrors"]


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        ("mutation {", {"field": None, "code": INVALID_MUTATION,
                        "message": "Failed to parse the mutation - syntax error, unexpected end of file at [1, 10]"}),
        ("{ products(first: 1) { edges { node { id } } } }",
         {"field": None, "code": INVALID_MUTATION,
          "message": "Invalid operation type. Only `mutation` operations are supported."}),
        ('mutation { a: productCreate(product: {title: "a"}) { product { id } } '
         'b: productCreate(product: {title: "b"}) { product { id } } }',
         {"field": ["mutation"], "code": None, "message": "You must specify a single top level mutation."}),
        ('mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }") { userErrors { message } } }',
         {"field": ["mutation"], "code": None, "message": "You must use an allowed mutation name."}),
        ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { "
         "variants(first: 5) { edges { node { id } } } collections(first: 5) { edges { node { id } } } } } }",
         {"field": ["mutation"], "code": None, "message": "Bulk mutations cannot contain more than 1 connection."}),
    ],
    ids=["parse-error", "not-a-mutation", "two-top-level-fields", "bulk-root", "two-connections"],
)
def test_an_unacceptable_document_is_refused_with_shopifys_error(
        shop_client: BulkClient, staged: str, mutation: str, expected: dict) -> None:
    assert rejected(shop_client, mutation, staged) == [expected]


def test_one_shallow_connection_is_accepted(shop_client: BulkClient, staged: str) -> None:
    mutation = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
                "{ product { variants(first: 5) { edges { node { id } } } } } }")

    payload = shop_client.run_mutation(mutation, staged)

    assert payload["userErrors"] == []
    assert payload["bulkOperation"]["status"] == "CREATED"


def test_a_document_over_65535_bytes_is_refused(shop_client: BulkClient, staged: str) -> None:
    mutation = CREATE + " " * (65536 - len(CREATE))

    assert rejected(shop_client, mutation, staged) == [
        {"field": ["query"], "code": INVALID_MUTATION, "message": "is too large (65536 bytes; maximum is 65535 bytes)"}
    ]


def test_a_client_identifier_must_be_10_to_255_characters(shop_client: BulkClient, staged: str) -> None:
    assert rejected(shop_client, CREATE, staged, "short") == [
        {"field": ["clientIdentifier"], "code": INVALID_MUTATION, "message": "is too short (minimum is 10 characters)"}
    ]
    assert rejected(shop_client, CREATE, staged, "x" * 256) == [
        {"field": ["clientIdentifier"], "code": INVALID_MUTATION, "message": "is too long (maximum is 255 characters)"}
    ]
    assert shop_client.run_mutation(CREATE, staged, "import-2026-11-23")["userErrors"] == []


def test_document_errors_come_before_file_errors(shop_client: BulkClient) -> None:
    errors = rejected(shop_client, "query { shop { id } }", "tmp/0/bulk/nothing/here.jsonl")

    assert errors[0]["message"] == "Invalid operation type. Only `mutation` operations are supported."


def test_a_path_with_nothing_staged_is_no_such_file(shop_client: BulkClient) -> None:
    assert rejected(shop_client, CREATE, "tmp/1/bulk/00000000-0000-0000-0000-000000000000/missing.jsonl") == [
        {"field": None, "code": "NO_SUCH_FILE",
         "message": "The JSONL file could not be found. Try uploading the file again, and check that you've entered "
                    "the URL correctly for the stagedUploadPath mutation argument."}
    ]


def test_a_file_staged_by_another_shop_cannot_be_found(server: ServerProcess) -> None:
    theirs = server.client(server.new_shop())
    mine = server.client(server.new_shop())
    path = theirs.stage(LINE)

    assert rejected(mine, CREATE, path)[0]["code"] == "NO_SUCH_FILE"


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """No workers and a daily cap of two: started operations stay CREATED, so limits can be observed exactly
    (the rest of the admission rules are specified in-process: test_engine_rules.py)."""
    process = InProcessServer(Path(tmp_path_factory.mktemp("idle")), {"workers": 0, "daily_mutation_cap": 2}).start()
    yield process
    process.stop()


def test_before_2026_01_a_second_bulk_mutation_waits_for_the_first(idle_server: InProcessServer) -> None:
    client = idle_server.client(idle_server.new_shop(), version="2025-10")
    first = client.run_mutation(CREATE, client.stage(LINE))["bulkOperation"]["id"]

    errors = rejected(client, CREATE, client.stage(LINE))

    assert errors == [{"field": None, "code": "OPERATION_IN_PROGRESS",
                       "message": f"A bulk mutation operation for this app and shop is already in progress: {first}."}]


def test_past_the_daily_cap_bulk_mutations_are_refused_with_limit_reached(idle_server: InProcessServer) -> None:
    client = idle_server.client(idle_server.new_shop(), version="2026-01")
    for _ in range(2):
        assert client.run_mutation(CREATE, client.stage(LINE))["userErrors"] == []

    assert rejected(client, CREATE, client.stage(LINE)) == [
        {"field": None, "code": "LIMIT_REACHED", "message": "Bulk operations limit reached. Please try again later."}
    ]
