"""Inventory over HTTP and in bulk: a shop's primary location, named quantities per item and location,
inventorySetQuantities and inventoryAdjustQuantities with their userErrors, and bulk imports of both that
answer and store exactly what the synchronous mutations do."""

from __future__ import annotations

from typing import Any

import orjson

from bulkops.client import BulkClient
from bulkops.graphql.bindings.inventory import InventoryChunks
from bulkops.graphql.execution import prepare_operation_document
from bulkops.graphql.planner.mutation_plan import compile_plan
from bulkops.graphql.registry import batched_writer_for
from bulkops.graphql.schema import schema_for_version
from tests.domain.shop_data_bulk import run_bulk

NEW_PRODUCT = """mutation create($product: ProductCreateInput!) {
  productCreate(product: $product) { product { variants(first: 1) { nodes { id inventoryItem { id } } } } }
}"""
WHERE = "query { location { id name isPrimary isActive } locations(first: 5) { nodes { id name } } }"
LEVEL = """query level($item: ID!, $location: ID!) {
  inventoryItem(id: $item) {
    id variant { id inventoryQuantity }
    inventoryLevel(locationId: $location) {
      id item { id } location { id }
      quantities(names: ["available", "on_hand", "committed", "damaged", "incoming", "reserved"]) { name quantity }
    }
    inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available"]) { quantity } } }
  }
}"""
PAYLOAD = """inventoryAdjustmentGroup { reason referenceDocumentUri
    changes { name delta quantityAfterChange ledgerDocumentUri item { id } location { id } } }
  userErrors { field message code }"""
SET = f"""mutation set($input: InventorySetQuantitiesInput!) {{
  inventorySetQuantities(input: $input) {{ {PAYLOAD} }}
}}"""
ADJUST = f"""mutation adjust($input: InventoryAdjustQuantitiesInput!) {{
  inventoryAdjustQuantities(input: $input) {{ {PAYLOAD} }}
}}"""


def gql(client: BulkClient, document: str, **variables: Any) -> dict[str, Any]:
    body = client.graphql(document, variables)
    assert "errors" not in body, body
    return body["data"]


def new_item(client: BulkClient, title: str = "Lamp") -> str:
    created = gql(client, NEW_PRODUCT, product={"title": title})
    return created["productCreate"]["product"]["variants"]["nodes"][0]["inventoryItem"]["id"]


def primary_location(client: BulkClient) -> str:
    return gql(client, WHERE)["location"]["id"]


def quantities(client: BulkClient, item: str, location: str) -> dict[str, int]:
    level = gql(client, LEVEL, item=item, location=location)["inventoryItem"]["inventoryLevel"]
    return {q["name"]: q["quantity"] for q in level["quantities"]}


def set_input(item: str, location: str, quantity: int, **extra: Any) -> dict[str, Any]:
    return {"name": "available", "reason": "correction", "referenceDocumentUri": "logistics://count/1",
            "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": quantity, **extra}]}


def test_a_shop_has_one_primary_location_where_every_new_variant_is_stocked_at_zero(shop_client: BulkClient) -> None:
    where = gql(shop_client, WHERE)
    item = new_item(shop_client)
    read = gql(shop_client, LEVEL, item=item, location=where["location"]["id"])["inventoryItem"]

    assert where["location"]["name"] == "Shop location"
    assert where["location"]["isPrimary"] is True and where["location"]["isActive"] is True
    assert where["locations"]["nodes"] == [{"id": where["location"]["id"], "name": "Shop location"}]
    assert read["inventoryLevel"]["item"] == {"id": item}
    assert read["inventoryLevel"]["location"] == {"id": where["location"]["id"]}
    assert read["inventoryLevel"]["id"].startswith("gid://shopify/InventoryLevel/")
    assert {q["name"]: q["quantity"] for q in read["inventoryLevel"]["quantities"]} == {
        "available": 0, "on_hand": 0, "committed": 0, "damaged": 0, "incoming": 0, "reserved": 0}
    assert read["inventoryLevels"]["nodes"] == [{"location": {"id": where["location"]["id"]},
                                                 "quantities": [{"quantity": 0}]}]


def test_setting_available_moves_on_hand_and_the_variants_inventoryQuantity(shop_client: BulkClient) -> None:
    item, location = new_item(shop_client), primary_location(shop_client)

    answer = gql(shop_client, SET, input=set_input(item, location, 7, changeFromQuantity=0))
    group = answer["inventorySetQuantities"]["inventoryAdjustmentGroup"]
    read = gql(shop_client, LEVEL, item=item, location=location)["inventoryItem"]

    assert answer["inventorySetQuantities"]["userErrors"] == []
    assert group["reason"] == "correction" and group["referenceDocumentUri"] == "logistics://count/1"
    assert [(c["name"], c["delta"], c["quantityAfterChange"]) for c in group["changes"]] == [
        ("available", 7, 7), ("on_hand", 7, 7)]
    assert group["changes"][0]["item"] == {"id": item} and group["changes"][0]["location"] == {"id": location}
    assert read["variant"]["inventoryQuantity"] == 7
    assert quantities(shop_client, item, location)["on_hand"] == 7


def test_setting_on_hand_moves_available_and_adjusting_unavailable_states_moves_on_hand(
        shop_client: BulkClient) -> None:
    item, location = new_item(shop_client), primary_location(shop_client)
    gql(shop_client, SET, input={**set_input(item, location, 10, changeFromQuantity=None), "name": "on_hand"})

    damaged = gql(shop_client, ADJUST, input={"name": "damaged", "reason": "damaged", "changes": [
        {"inventoryItemId": item, "locationId": location, "delta": 2, "ledgerDocumentUri": "wms://damage/9"}]})
    sold = gql(shop_client, ADJUST, input={"name": "available", "reason": "correction", "changes": [
        {"inventoryItemId": item, "locationId": location, "delta": -3}]})

    assert [(c["name"], c["delta"], c["quantityAfterChange"], c["ledgerDocumentUri"])
            for c in damaged["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]["changes"]] == [
        ("damaged", 2, 2, "wms://damage/9"), ("on_hand", 2, 12, None)]
    assert sold["inventoryAdjustQuantities"]["userErrors"] == []
    assert quantities(shop_client, item, location) == {"available": 7, "on_hand": 9, "committed": 0, "damaged": 2,
                                                       "incoming": 0, "reserved": 0}
    assert gql(shop_client, LEVEL, item=item, location=location)["inventoryItem"]["variant"]["inventoryQuantity"] == 7


def test_set_reports_every_problem_with_its_code_and_writes_nothing(shop_client: BulkClient) -> None:
    item, location = new_item(shop_client), primary_location(shop_client)
    missing_item = "gid://shopify/InventoryItem/999999999"

    answer = gql(shop_client, SET, input={
        "name": "available", "reason": "because",
        "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": 5, "changeFromQuantity": 4},
                       {"inventoryItemId": missing_item, "locationId": location, "quantity": 1,
                        "changeFromQuantity": None},
                       {"inventoryItemId": item, "locationId": "gid://shopify/Location/999999999", "quantity": -1,
                        "changeFromQuantity": None}]})
    bad_name = gql(shop_client, SET, input={**set_input(item, location, 3, changeFromQuantity=0), "name": "damaged"})
    no_compare = gql(shop_client, SET, input=set_input(item, location, 3))

    payload = answer["inventorySetQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_REASON", ["input", "reason"]),
        ("CHANGE_FROM_QUANTITY_STALE", ["input", "quantities", "0", "changeFromQuantity"]),
        ("INVALID_INVENTORY_ITEM", ["input", "quantities", "1", "inventoryItemId"]),
        ("INVALID_LOCATION", ["input", "quantities", "2", "locationId"]),
        ("INVALID_QUANTITY_NEGATIVE", ["input", "quantities", "2", "quantity"])]
    assert payload["userErrors"][2]["message"] == "The specified inventory item could not be found."
    assert bad_name["inventorySetQuantities"]["userErrors"] == [
        {"field": ["input", "name"], "message": "The quantity name must be either 'available' or 'on_hand'.",
         "code": "INVALID_NAME"}]
    assert no_compare["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_REQUIRED"
    assert quantities(shop_client, item, location)["available"] == 0


def test_adjust_needs_a_ledger_document_except_for_available_and_rejects_a_stale_change_from(
        shop_client: BulkClient) -> None:
    item, location = new_item(shop_client), primary_location(shop_client)

    answer = gql(shop_client, ADJUST, input={"name": "reserved", "reason": "reservation_created", "changes": [
        {"inventoryItemId": item, "locationId": location, "delta": 1},
        {"inventoryItemId": item, "locationId": location, "delta": 1, "ledgerDocumentUri": "app://r/1",
         "changeFromQuantity": 5}]})
    unknown_name = gql(shop_client, ADJUST, input={"name": "sold", "reason": "correction", "changes": []})

    assert [e["code"] for e in answer["inventoryAdjustQuantities"]["userErrors"]] == [
        "INVALID_QUANTITY_DOCUMENT", "CHANGE_FROM_QUANTITY_STALE"]
    assert unknown_name["inventoryAdjustQuantities"]["userErrors"][0]["code"] == "INVALID_QUANTITY_NAME"
    assert quantities(shop_client, item, location)["reserved"] == 0


def _script(items: list[str], location: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Set lines then adjust lines, good and bad, some touching the same item one after the other."""
    sets = [{"input": set_input(items[0], location, 5, changeFromQuantity=0)},
            {"input": set_input(items[1], location, 9, changeFromQuantity=None)},
            {"input": set_input(items[0], location, 8, changeFromQuantity=5)},
            {"input": set_input(items[0], location, 1, changeFromQuantity=5)},
            {"input": set_input("gid://shopify/InventoryItem/999999999", location, 1, changeFromQuantity=None)},
            {"input": set_input(items[1], location, -4, changeFromQuantity=None)},
            {"input": {**set_input(items[2], location, 2, changeFromQuantity=None), "quantities": [
                {"inventoryItemId": items[2], "locationId": location, "quantity": 2, "changeFromQuantity": None},
                {"inventoryItemId": items[1], "locationId": location, "quantity": 3, "changeFromQuantity": 9}]}}]
    adjusts = [{"input": {"name": "available", "reason": "correction", "changes": [
                   {"inventoryItemId": items[0], "locationId": location, "delta": 2}]}},
               {"input": {"name": "incoming", "reason": "other", "changes": [
                   {"inventoryItemId": items[1], "locationId": location, "delta": 4,
                    "ledgerDocumentUri": "erp://po/7"}]}},
               {"input": {"name": "available", "reason": "correction", "changes": [
                   {"inventoryItemId": items[0], "locationId": location, "delta": 1, "changeFromQuantity": 99}]}},
               {"input": {"name": "available", "reason": "correction", "changes": [
                   {"inventoryItemId": items[2], "locationId": location, "delta": -5}]}}]
    return sets, adjusts


def _neutral(value: Any, names: dict[str, str]) -> Any:
    text = orjson.dumps(value).decode()
    for real, neutral in names.items():
        text = text.replace(real, neutral)
    return orjson.loads(text)


def test_bulk_imports_answer_and_store_exactly_what_the_synchronous_mutations_do(server: Any) -> None:
    """Shop A runs the lines one request at a time, shop B as two bulk imports (the batched writer)."""
    clients = [server.client(server.new_shop()), server.client(server.new_shop())]
    answers, stored = [], []
    for index, client in enumerate(clients):
        items = [new_item(client, f"Item {n}") for n in range(3)]
        location = primary_location(client)
        names = {item: f"ITEM{n}" for n, item in enumerate(items)} | {location: "LOCATION"}
        sets, adjusts = _script(items, location)
        if index == 0:
            lines = [{"data": client.graphql(SET, v)["data"]} for v in sets]
            lines += [{"data": client.graphql(ADJUST, v)["data"]} for v in adjusts]
        else:
            ran = run_bulk(client, SET, *sets) + run_bulk(client, ADJUST, *adjusts)
            lines = [{"data": line["data"]} for line in ran]
        answers.append(_neutral(lines, names))
        stored.append([quantities(client, item, location) for item in items])
        client.close()

    assert answers[0] == answers[1]
    assert stored[0] == stored[1]
    assert stored[0][0]["available"] == 10 and stored[0][1]["incoming"] == 4 and stored[0][2]["available"] == -3
    codes = [e["code"] for line in answers[1] for payload in line["data"].values() for e in payload["userErrors"]]
    assert codes == ["CHANGE_FROM_QUANTITY_STALE", "INVALID_INVENTORY_ITEM", "INVALID_QUANTITY_NEGATIVE",
                     "CHANGE_FROM_QUANTITY_STALE"]


def test_both_mutations_run_in_bulk_through_the_batched_writer_when_the_payload_allows() -> None:
    schema = schema_for_version("2026-01")
    plans = {name: compile_plan(schema, *_parsed(schema, document))
             for name, document in (("set", SET), ("adjust", ADJUST), ("deep", DEEP_SET))}

    assert batched_writer_for(plans["set"]) is InventoryChunks  # type: ignore[arg-type]
    assert batched_writer_for(plans["adjust"]) is InventoryChunks  # type: ignore[arg-type]
    assert plans["deep"] is not None and batched_writer_for(plans["deep"]) is None


DEEP_SET = """mutation set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { changes { item { inventoryLevels(first: 1) {
    nodes { id } } } } } userErrors { code } }
}"""


def _parsed(schema: Any, document: str) -> tuple[Any, Any]:
    prepared = prepare_operation_document(schema, document)
    assert prepared.errors == []
    return prepared.document, prepared.operation


PAGES = """query pages($item: ID!, $after: String, $last: Int) {
  locations(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } }
  inventoryItem(id: $item) {
    first: inventoryLevels(first: 1, after: $after) { nodes { location { id } } pageInfo {
      hasNextPage hasPreviousPage startCursor endCursor } }
    last: inventoryLevels(last: $last, reverse: true) { edges { cursor node { location { id } } } }
  }
}"""


def test_locations_and_an_items_levels_page_by_cursor_and_refuse_a_cursor_never_given(
        shop_client: BulkClient) -> None:
    item, location = new_item(shop_client), primary_location(shop_client)

    first = gql(shop_client, PAGES, item=item, last=1)
    levels = first["inventoryItem"]["first"]
    after = gql(shop_client, PAGES, item=item, after=levels["pageInfo"]["endCursor"], last=0)
    wrong = shop_client.graphql(PAGES, {"item": item, "after": "bm90IGEgY3Vyc29y", "last": 1})

    assert first["locations"]["nodes"] == [{"id": location}]
    assert first["locations"]["pageInfo"]["hasNextPage"] is False
    assert levels == {"nodes": [{"location": {"id": location}}], "pageInfo": {
        "hasNextPage": False, "hasPreviousPage": False, "startCursor": levels["pageInfo"]["endCursor"],
        "endCursor": levels["pageInfo"]["endCursor"]}}
    assert first["inventoryItem"]["last"]["edges"] == [
        {"cursor": levels["pageInfo"]["endCursor"], "node": {"location": {"id": location}}}]
    assert after["inventoryItem"]["first"]["nodes"] == [] and after["inventoryItem"]["last"]["edges"] == []
    assert wrong["errors"][0]["message"].startswith("Invalid cursor")
