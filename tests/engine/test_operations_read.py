"""Reading BulkOperations: bulkOperation(id), bulkOperations, currentBulkOperation, node(s) (spec 5, 8)."""

from __future__ import annotations

import base64
import re

import orjson
import pytest

from bulkops.client import BulkClient

CREATE = "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }"
LINE = b'{"product": {"title": "A board"}}\n'
BULK_OPERATION = "query op($id: ID!) { bulkOperation(id: $id) { id status type objectCount rootObjectCount } }"
LIST = """query list($first: Int, $last: Int, $after: String, $before: String, $query: String, $reverse: Boolean,
                 $sortKey: BulkOperationsSortKeys) {
  bulkOperations(first: $first, last: $last, after: $after, before: $before, query: $query, reverse: $reverse,
                 sortKey: $sortKey) {
    edges { cursor node { id status type } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def finished_import(client: BulkClient, lines: bytes = LINE) -> dict:
    started = client.run_mutation(CREATE, client.stage(lines))["bulkOperation"]
    return client.wait(started["id"])


@pytest.fixture
def three_imports(shop_client: BulkClient) -> list[str]:
    return [finished_import(shop_client)["id"] for _ in range(3)]


def ids_of(body: dict) -> list[str]:
    return [edge["node"]["id"] for edge in body["data"]["bulkOperations"]["edges"]]


def test_bulk_operation_by_id_shows_the_finished_import(shop_client: BulkClient) -> None:
    done = finished_import(shop_client, LINE * 2)

    body = shop_client.graphql(BULK_OPERATION, {"id": done["id"]})

    assert body["data"]["bulkOperation"] == {"id": done["id"], "status": "COMPLETED", "type": "MUTATION",
                                             "objectCount": "2", "rootObjectCount": "2"}
    assert re.fullmatch(r"gid://shopify/BulkOperation/\d+", done["id"])


def test_a_completed_operation_has_timestamps_size_and_a_signed_url(shop_client: BulkClient) -> None:
    done = finished_import(shop_client)

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", done["createdAt"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", done["completedAt"])
    assert done["errorCode"] is None and done["partialDataUrl"] is None
    assert "Signature=" in done["url"] and "Expires=" in done["url"]
    assert "response-content-disposition=" in done["url"] and f"bulk-{done['id'].rsplit('/', 1)[1]}.jsonl" in done["url"]


def test_an_unknown_bulk_operation_id_is_null(shop_client: BulkClient) -> None:
    body = shop_client.graphql(BULK_OPERATION, {"id": "gid://shopify/BulkOperation/999999999"})

    assert body["data"] == {"bulkOperation": None}


def test_a_gid_of_another_type_is_resource_not_found(shop_client: BulkClient) -> None:
    body = shop_client.graphql(BULK_OPERATION, {"id": "gid://shopify/Product/1"})

    assert body["data"] == {"bulkOperation": None}
    assert body["errors"][0]["message"] == "Invalid id: gid://shopify/Product/1"
    assert body["errors"][0]["extensions"]["code"] == "RESOURCE_NOT_FOUND"
    assert body["errors"][0]["path"] == ["bulkOperation"]


def test_a_malformed_id_is_an_invalid_global_id(shop_client: BulkClient) -> None:
    body = shop_client.graphql('{ bulkOperation(id: "not-a-gid") { id } }')

    assert body["errors"][0]["message"] == "Invalid global id 'not-a-gid'"


def test_bulk_operation_and_bulk_operations_exist_only_from_2026_01(shop_client: BulkClient) -> None:
    body = shop_client.graphql('{ bulkOperation(id: "gid://shopify/BulkOperation/1") { id } }', version="2025-10")

    assert body["errors"][0]["message"] == "Field 'bulkOperation' doesn't exist on type 'QueryRoot'"


def test_bulk_operations_lists_newest_first_and_reverse_oldest_first(
        shop_client: BulkClient, three_imports: list[str]) -> None:
    assert ids_of(shop_client.graphql(LIST, {"first": 10})) == list(reversed(three_imports))
    assert ids_of(shop_client.graphql(LIST, {"first": 10, "reverse": True})) == three_imports


def test_bulk_operations_pages_with_cursors(shop_client: BulkClient, three_imports: list[str]) -> None:
    first_page = shop_client.graphql(LIST, {"first": 2})["data"]["bulkOperations"]
    second_page = shop_client.graphql(LIST, {"first": 2, "after": first_page["pageInfo"]["endCursor"]})
    back = shop_client.graphql(LIST, {"last": 2, "before": second_page["data"]["bulkOperations"]["pageInfo"]["endCursor"]})

    assert [e["node"]["id"] for e in first_page["edges"]] == [three_imports[2], three_imports[1]]
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert ids_of(second_page) == [three_imports[0]]
    assert second_page["data"]["bulkOperations"]["pageInfo"]["hasNextPage"] is False
    assert ids_of(back) == [three_imports[2], three_imports[1]]
    cursor = orjson.loads(base64.b64decode(first_page["edges"][0]["cursor"]))
    assert cursor["last_id"] == int(three_imports[2].rsplit("/", 1)[1])


def test_bulk_operations_filters_by_status_type_and_id(shop_client: BulkClient, three_imports: list[str]) -> None:
    assert ids_of(shop_client.graphql(LIST, {"first": 10, "query": "status:COMPLETED operation_type:mutation"})) == \
        list(reversed(three_imports))
    assert ids_of(shop_client.graphql(LIST, {"first": 10, "query": "operation_type:query"})) == []
    middle = three_imports[1].rsplit("/", 1)[1]
    assert ids_of(shop_client.graphql(LIST, {"first": 10, "query": f"id:>={middle}"})) == \
        [three_imports[2], three_imports[1]]
    assert ids_of(shop_client.graphql(LIST, {"first": 10, "query": "created_at:>2020-01-01"})) == \
        list(reversed(three_imports))


def test_an_unaccepted_status_value_gives_an_empty_list_and_a_search_warning(
        shop_client: BulkClient, three_imports: list[str]) -> None:
    body = shop_client.graphql(LIST, {"first": 10, "query": "status:EXPIRED"})

    assert ids_of(body) == []
    assert body["extensions"]["search"] == [{
        "path": ["bulkOperations"], "query": "status:EXPIRED",
        "parsed": {"field": "status", "match_all": "EXPIRED"},
        "warnings": [{"field": "status", "message": "Input `EXPIRED` is not an accepted value.",
                      "code": "invalid_value"}],
    }]


def test_an_unknown_search_field_is_ignored_with_a_warning(shop_client: BulkClient, three_imports: list[str]) -> None:
    body = shop_client.graphql(LIST, {"first": 10, "query": "made_up:value"})

    assert len(ids_of(body)) == 3
    assert body["extensions"]["search"][0]["warnings"] == [
        {"field": "made_up", "message": "Invalid search field for this query.", "code": "invalid_field"}]


@pytest.mark.parametrize(
    ("variables", "message"),
    [({}, "you must provide one of first or last"),
     ({"first": 1, "last": 1}, "providing both first and last is not supported"),
     ({"first": 1, "query": "created_at:>yesterday-ish"}, "Invalid timestamp for query filter `created_at`.")],
)
def test_bad_listing_arguments_are_bad_requests(shop_client: BulkClient, variables: dict, message: str) -> None:
    body = shop_client.graphql(LIST, variables)

    assert body["data"] is None
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_current_bulk_operation_is_the_latest_of_its_type(shop_client: BulkClient) -> None:
    assert shop_client.graphql("{ currentBulkOperation(type: MUTATION) { id } }")["data"] == \
        {"currentBulkOperation": None}
    latest = [finished_import(shop_client)["id"] for _ in range(2)][-1]

    body = shop_client.graphql("{ currentBulkOperation(type: MUTATION) { id status } }")

    assert body["data"]["currentBulkOperation"] == {"id": latest, "status": "COMPLETED"}
    assert shop_client.graphql("{ currentBulkOperation { id } }")["data"] == {"currentBulkOperation": None}


def test_node_and_nodes_find_bulk_operations_in_input_order(shop_client: BulkClient) -> None:
    done = finished_import(shop_client)
    missing = "gid://shopify/BulkOperation/999999999"

    node = shop_client.graphql("query n($id: ID!) { node(id: $id) { id ... on BulkOperation { status url } } }",
                               {"id": done["id"]})
    nodes = shop_client.graphql("query n($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                                {"ids": [done["id"], missing, done["id"]]})

    assert node["data"]["node"]["status"] == "COMPLETED" and node["data"]["node"]["url"]
    assert nodes["data"]["nodes"] == [{"id": done["id"]}, None, {"id": done["id"]}]


def test_sorting_by_completed_at_puts_operations_that_never_completed_last(shop_client: BulkClient) -> None:
    completed = [finished_import(shop_client)["id"] for _ in range(2)]
    canceled = shop_client.run_mutation(CREATE, shop_client.stage(LINE * 20_000))["bulkOperation"]["id"]
    shop_client.cancel(canceled)
    assert shop_client.wait(canceled)["status"] == "CANCELED"

    newest_first = ids_of(shop_client.graphql(LIST, {"first": 10, "sortKey": "COMPLETED_AT"}))
    oldest_first = ids_of(shop_client.graphql(LIST, {"first": 10, "sortKey": "COMPLETED_AT", "reverse": True}))

    assert newest_first == [completed[1], completed[0], canceled]
    assert oldest_first == [canceled, completed[0], completed[1]]
