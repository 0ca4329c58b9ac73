"""collectionCreate / collectionUpdate (custom and smart collections) and the collection(s) queries, over
HTTP and as bulk lines."""

from __future__ import annotations

from typing import Any

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

COLLECTION = """id handle title sortOrder descriptionHtml updatedAt productsCount { count precision }
  ruleSet { appliedDisjunctively rules { column relation condition } }
  products(first: 10) { nodes { title } }"""
CREATE = f"""mutation create($input: CollectionInput!) {{
  collectionCreate(input: $input) {{ collection {{ {COLLECTION} }} userErrors {{ field message }} }}
}}"""
UPDATE = f"""mutation update($input: CollectionInput!) {{
  collectionUpdate(input: $input) {{ collection {{ {COLLECTION} }} userErrors {{ field message }} }}
}}"""
READ = f"query read($id: ID!) {{ collection(id: $id) {{ {COLLECTION} }} }}"
LIST = """query list($query: String, $sortKey: CollectionSortKeys, $reverse: Boolean) {
  collections(first: 10, query: $query, sortKey: $sortKey, reverse: $reverse) { nodes { title } }
}"""
PRODUCTS_IN = """query p($query: String) { products(first: 10, query: $query, sortKey: TITLE) { nodes { title } } }"""
CREATE_PRODUCT = """mutation p($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id } userErrors { field message } }
}"""
SET_PRICE = """mutation s($input: ProductSetInput!) { productSet(input: $input) { product { id } userErrors { message } } }"""


def gql(client: BulkClient, document: str, **variables: Any) -> dict[str, Any]:
    body = client.graphql(document, variables)
    assert "errors" not in body, body
    return body["data"]


def product(client: BulkClient, title: str, **fields: Any) -> str:
    return gql(client, CREATE_PRODUCT, product={"title": title, **fields})["productCreate"]["product"]["id"]


def test_a_custom_collection_keeps_its_products_in_the_given_order(shop_client: BulkClient) -> None:
    board, boot = product(shop_client, "Board"), product(shop_client, "Boot")

    created = gql(shop_client, CREATE, input={"title": "Winter Sale", "products": [boot, board],
                                              "descriptionHtml": "<p>Cold</p>", "sortOrder": "MANUAL"})

    collection = created["collectionCreate"]["collection"]
    assert created["collectionCreate"]["userErrors"] == []
    assert collection["handle"] == "winter-sale" and collection["ruleSet"] is None
    assert collection["productsCount"] == {"count": 2, "precision": "EXACT"}
    assert [p["title"] for p in collection["products"]["nodes"]] == ["Boot", "Board"]
    assert gql(shop_client, READ, id=collection["id"])["collection"] == collection
    number = collection["id"].rsplit("/", 1)[1]
    assert [p["title"] for p in gql(shop_client, PRODUCTS_IN, query=f"collection_id:{number}")["products"]["nodes"]] \
        == ["Board", "Boot"]


def test_collectionCreate_reports_blank_title_an_id_and_duplicate_handles(shop_client: BulkClient) -> None:
    first = gql(shop_client, CREATE, input={"title": "Sale"})["collectionCreate"]["collection"]
    second = gql(shop_client, CREATE, input={"title": "Sale"})["collectionCreate"]["collection"]
    blank = gql(shop_client, CREATE, input={"title": ""})["collectionCreate"]
    with_id = gql(shop_client, CREATE, input={"title": "X", "id": first["id"]})["collectionCreate"]
    taken = gql(shop_client, CREATE, input={"title": "Y", "handle": "sale"})["collectionCreate"]

    assert (first["handle"], second["handle"]) == ("sale", "sale-1")
    assert first["sortOrder"] == "BEST_SELLING"
    assert blank == {"collection": None, "userErrors": [{"field": ["title"], "message": "Title can't be blank"}]}
    assert with_id["userErrors"] == [{"field": ["id"], "message": "id cannot be specified on collection creation"}]
    assert taken["userErrors"] == [{"field": ["handle"],
                                    "message": "Handle 'sale' already in use. Please provide a new handle."}]


def test_a_smart_collection_holds_the_products_its_rules_match(shop_client: BulkClient) -> None:
    product(shop_client, "Alpine Board", vendor="Acme", tags=["snow"])
    product(shop_client, "Alpine Boot", vendor="Bolt", tags=["snow"])
    product(shop_client, "Beach Towel", vendor="Acme")
    gql(shop_client, SET_PRICE, input={"title": "Cheap Wax", "productOptions": [{"name": "Size", "values": [
        {"name": "One"}]}], "variants": [{"optionValues": [{"optionName": "Size", "name": "One"}], "price": "4.00"}]})

    all_of = gql(shop_client, CREATE, input={"title": "Acme Snow", "ruleSet": {"appliedDisjunctively": False, "rules": [
        {"column": "VENDOR", "relation": "EQUALS", "condition": "acme"},
        {"column": "TAG", "relation": "EQUALS", "condition": "snow"}]}})["collectionCreate"]["collection"]
    any_of = gql(shop_client, CREATE, input={"title": "Towels or priced", "ruleSet": {"appliedDisjunctively": True,
        "rules": [{"column": "TITLE", "relation": "ENDS_WITH", "condition": "towel"},
                  {"column": "VARIANT_PRICE", "relation": "GREATER_THAN", "condition": "3"}]}})["collectionCreate"]

    assert [p["title"] for p in all_of["products"]["nodes"]] == ["Alpine Board"]
    assert all_of["ruleSet"] == {"appliedDisjunctively": False, "rules": [
        {"column": "VENDOR", "relation": "EQUALS", "condition": "acme"},
        {"column": "TAG", "relation": "EQUALS", "condition": "snow"}]}
    assert [p["title"] for p in any_of["collection"]["products"]["nodes"]] == ["Beach Towel", "Cheap Wax"]
    assert any_of["collection"]["productsCount"]["count"] == 2
    number = any_of["collection"]["id"].rsplit("/", 1)[1]
    assert [p["title"] for p in gql(shop_client, PRODUCTS_IN, query=f"collection_id:{number}")["products"]["nodes"]] \
        == ["Beach Towel", "Cheap Wax"]


def test_collectionUpdate_changes_fields_and_rules_but_not_products(shop_client: BulkClient) -> None:
    board = product(shop_client, "Board", vendor="Acme")
    custom = gql(shop_client, CREATE, input={"title": "Picks", "products": [board]})["collectionCreate"]["collection"]
    smart = gql(shop_client, CREATE, input={"title": "Acme", "ruleSet": {"appliedDisjunctively": False, "rules": [
        {"column": "VENDOR", "relation": "EQUALS", "condition": "Acme"}]}})["collectionCreate"]["collection"]

    renamed = gql(shop_client, UPDATE, input={"id": custom["id"], "title": "Top Picks", "handle": "top",
                                              "redirectNewHandle": True})["collectionUpdate"]
    rerule = gql(shop_client, UPDATE, input={"id": smart["id"], "ruleSet": {"appliedDisjunctively": False, "rules": [
        {"column": "VENDOR", "relation": "EQUALS", "condition": "Bolt"}]}})["collectionUpdate"]
    products = gql(shop_client, UPDATE, input={"id": custom["id"], "products": []})["collectionUpdate"]
    missing = gql(shop_client, UPDATE, input={"id": "gid://shopify/Collection/999999", "title": "X"})

    assert renamed["userErrors"] == [] and renamed["collection"]["handle"] == "top"
    assert renamed["collection"]["title"] == "Top Picks" and renamed["collection"]["productsCount"]["count"] == 1
    assert rerule["collection"]["products"]["nodes"] == []
    assert products["userErrors"] == [{"field": ["products"],
                                       "message": "Products can only be set when creating a collection."}]
    assert missing["collectionUpdate"] == {"collection": None,
                                           "userErrors": [{"field": ["id"], "message": "Collection does not exist"}]}


def test_collections_search_and_sort(shop_client: BulkClient) -> None:
    for title in ("Summer", "Autumn", "Winter"):
        gql(shop_client, CREATE, input={"title": title})
    gql(shop_client, CREATE, input={"title": "Smart", "ruleSet": {"appliedDisjunctively": False, "rules": [
        {"column": "TITLE", "relation": "CONTAINS", "condition": "x"}]}})

    def titles(**variables: Any) -> list[str]:
        return [n["title"] for n in gql(shop_client, LIST, **variables)["collections"]["nodes"]]

    assert titles() == ["Summer", "Autumn", "Winter", "Smart"]
    assert titles(sortKey="TITLE") == ["Autumn", "Smart", "Summer", "Winter"]
    assert titles(sortKey="TITLE", reverse=True) == ["Winter", "Summer", "Smart", "Autumn"]
    assert titles(query="title:Win*") == ["Winter"]
    assert titles(query="collection_type:smart") == ["Smart"]
    assert titles(query="collection_type:custom handle:autumn") == ["Autumn"]


def test_product_collections_and_inCollection_read_membership(shop_client: BulkClient) -> None:
    board = product(shop_client, "Board", vendor="Acme")
    custom = gql(shop_client, CREATE, input={"title": "Picks", "products": [board]})["collectionCreate"]["collection"]
    smart = gql(shop_client, CREATE, input={"title": "Acme", "ruleSet": {"appliedDisjunctively": False, "rules": [
        {"column": "VENDOR", "relation": "EQUALS", "condition": "Acme"}]}})["collectionCreate"]["collection"]
    other = gql(shop_client, CREATE, input={"title": "Other"})["collectionCreate"]["collection"]
    read = """query r($id: ID!, $a: ID!, $b: ID!) { product(id: $id) {
      collections(first: 5) { nodes { title } } inA: inCollection(id: $a) inB: inCollection(id: $b) } }"""

    found = gql(shop_client, read, id=board, a=smart["id"], b=other["id"])["product"]

    assert [c["title"] for c in found["collections"]["nodes"]] == ["Picks", "Acme"]
    assert (found["inA"], found["inB"]) == (True, False)
    assert custom["id"] != smart["id"]


def test_collection_mutations_run_as_bulk_lines(shop_client: BulkClient) -> None:
    board = product(shop_client, "Board")
    bulk_create = """mutation c($input: CollectionInput!) { collectionCreate(input: $input) {
      collection { id handle products(first: 5) { nodes { title } } } userErrors { field message } } }"""
    bulk_update = """mutation u($input: CollectionInput!) { collectionUpdate(input: $input) {
      collection { id title } userErrors { field message } } }"""

    created = run_bulk(shop_client, bulk_create, {"input": {"title": "Bulk", "products": [board]}},
                       {"input": {"title": ""}})
    collection = created[0]["data"]["collectionCreate"]["collection"]
    updated = run_bulk(shop_client, bulk_update, {"input": {"id": collection["id"], "title": "Bulk Renamed"}})

    assert collection["handle"] == "bulk" and collection["products"]["nodes"] == [{"title": "Board"}]
    assert created[1]["data"]["collectionCreate"]["userErrors"] == [{"field": ["title"],
                                                                     "message": "Title can't be blank"}]
    assert updated[0]["data"]["collectionUpdate"]["collection"]["title"] == "Bulk Renamed"
    assert gql(shop_client, READ, id=collection["id"])["collection"]["title"] == "Bulk Renamed"


ADD = """mutation add($id: ID!, $productIds: [ID!]!) {
  collectionAddProducts(id: $id, productIds: $productIds) {
    collection { id title products(first: 10) { nodes { title } } } userErrors { field message }
  }
}"""


def test_collectionAddProducts_appends_products_in_the_given_order(shop_client: BulkClient) -> None:
    board, boot, wax = product(shop_client, "Board"), product(shop_client, "Boot"), product(shop_client, "Wax")
    collection = gql(shop_client, CREATE, input={"title": "Winter", "products": [boot]})["collectionCreate"]

    added = gql(shop_client, ADD, id=collection["collection"]["id"], productIds=[wax, board, wax])

    assert added["collectionAddProducts"]["userErrors"] == []
    assert [p["title"] for p in added["collectionAddProducts"]["collection"]["products"]["nodes"]] == [
        "Boot", "Wax", "Board"]


def test_collectionAddProducts_refuses_and_adds_nothing_when_one_product_cannot_be_added(
        shop_client: BulkClient) -> None:
    board, boot = product(shop_client, "Board"), product(shop_client, "Boot")
    custom = gql(shop_client, CREATE, input={"title": "Custom", "products": [boot]})["collectionCreate"]["collection"]
    smart = gql(shop_client, CREATE, input={"title": "Smart", "ruleSet": {"appliedDisjunctively": False, "rules": [
        {"column": "TITLE", "relation": "CONTAINS", "condition": "Bo"}]}})["collectionCreate"]["collection"]

    def errors(collection_id: str, product_ids: list[str]) -> list[dict[str, Any]]:
        payload = gql(shop_client, ADD, id=collection_id, productIds=product_ids)["collectionAddProducts"]
        assert payload["collection"] is None
        return payload["userErrors"]

    assert errors(custom["id"], [board, boot]) == [
        {"field": ["productIds"], "message": "Product is already in the collection."}]
    assert errors(custom["id"], [board, "gid://shopify/Product/999999"]) == [
        {"field": ["productIds"], "message": "Product does not exist"}]
    assert errors(smart["id"], [board]) == [
        {"field": ["id"], "message": "Products cannot be added to a smart collection."}]
    assert errors("gid://shopify/Collection/999999", [board]) == [{"field": ["id"], "message": "Collection does not exist"}]
    assert [p["title"] for p in gql(shop_client, READ, id=custom["id"])["collection"]["products"]["nodes"]] == ["Boot"]
