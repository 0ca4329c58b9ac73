"""The bulk queries a data connector sends (airbyte-source-shopify 4.3, its stream queries as it writes them,
shortened to the parts bulkops had refused): each runs and exports what the shop holds. The connector itself
runs in tests/test_connector.py; these pin each fix in the suite without it."""

from __future__ import annotations

from typing import Any

import pytest

from bulkops.client import BulkClient
from bulkops.testing import InProcessServer
from tests.domain.test_publications import CREATE_COLLECTION, PUBLISH, channels, gql, product
from tests.engine.test_export_format import PRODUCT_SET, board, bulk_import, export, lines_of

PRODUCTS = """{ products(query: "updated_at:>='2020-01-01' AND updated_at:<='2100-01-01'", sortKey: UPDATED_AT) {
  edges { node { __typename id title
    feedback { summary details { app { id } link { url } messages { field message } } }
    total_variants: variantsCount { total_variants: count }
    variants { edges { node { __typename id } } } } } } }"""

COLLECTIONS = """{ collections(query: "updated_at:>='2020-01-01' AND updated_at:<='2100-01-01'", sortKey: UPDATED_AT) {
  edges { node { __typename id handle title updatedAt bodyHtml: descriptionHtml
    publications { edges { node { __typename publishedAt: publishDate } } }
    sortOrder templateSuffix productsCount { products_count: count } } } } }"""

LEVELS = """{ locations(includeLegacy: true, includeInactive: true) { edges { node { __typename id
  inventoryLevels(query: "updated_at:>='%s' AND updated_at:<='2100-01-01'") { edges { node { __typename id
    canDeactivate createdAt deactivationAlert updatedAt
    item { inventory_history_url: inventoryHistoryUrl inventory_item_id: id locations_count: locationsCount { count } }
    quantities(names: ["available", "on_hand"]) { id name quantity updatedAt } } } } } } } }"""
LOCATION_METAFIELDS = """{ locations(query: "updated_at:>='2020-01-01' AND updated_at:<='2100-01-01'") { edges { node {
  __typename id metafields { edges { node { __typename id namespace value key createdAt updatedAt type } } } } } } }"""

INVENTORY_ITEMS = """{ inventoryItems(query: "updated_at:>='2020-01-01' AND updated_at:<='2100-01-01'") { edges { node {
  __typename id harmonizedSystemCode updatedAt createdAt sku tracked requiresShipping duplicateSkuCount
  unitCost { cost: amount currency_code: currencyCode } countryCodeOfOrigin
  countryHarmonizedSystemCodes { edges { node { __typename harmonizedSystemCode countryCode } } } } } } }"""
DELETED_PRODUCTS = """query GetDeletedProductEvents($first: Int!, $after: String, $query: String) {
  events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ... on BasicEvent { id createdAt message subjectId subjectType } } } }"""
ORDER_RISKS = """{ orders(query: "updated_at:>='2020-01-01' AND updated_at:<='2100-01-01'", sortKey: UPDATED_AT) {
  edges { node { __typename updatedAt order_id: id risk { recommendation assessments { risk_level: riskLevel
    facts { description sentiment } provider { handle provider_id: id } } } } } } }"""
ORDER_AGREEMENTS = """{ orders(query: "updated_at:>='2020-01-01' AND updated_at:<='2100-01-01'", sortKey: UPDATED_AT) {
  edges { node { __typename id createdAt updatedAt agreements { edges { node { __typename id happened_at: happenedAt
    reason sales { edges { node { __typename quantity id action_type: actionType line_type: lineType
      total_amount: totalAmount { shop_money: shopMoney { amount currency_code: currencyCode } }
      ... on ProductSale { id line_item: lineItem { id } } } } } } } } } } } }"""
ORDER = """mutation { orderCreate(order: {lineItems: [{title: "Gift wrap", quantity: 1,
  priceSet: {shopMoney: {amount: "5.00", currencyCode: USD}}}]}) { order { id } userErrors { message } } }"""


@pytest.fixture(scope="module")
def shop(clocked_server: InProcessServer) -> BulkClient:
    """Board 1 with two sizes, and one order."""
    client = clocked_server.client(clocked_server.new_shop("connector"))
    bulk_import(client, PRODUCT_SET, [board(1, sizes=("S", "M"))])
    client.graphql(ORDER)
    return client


def exported(client: BulkClient, query: str) -> list[dict[str, Any]]:
    return lines_of(export(client, query)[1])


def test_the_products_stream_selects_the_feedback_link_and_gets_no_feedback(shop: BulkClient) -> None:
    """``AppFeedback.link`` is in Shopify's schema; a product without app feedback answers ``feedback: null``."""
    product, small, medium = exported(shop, PRODUCTS)

    assert product["feedback"] is None and product["total_variants"] == {"total_variants": 2}
    assert [small["__typename"], medium["__typename"]] == ["ProductVariant", "ProductVariant"]
    assert {small["__parentId"], medium["__parentId"]} == {product["id"]}


def test_the_collections_stream_reads_where_each_collection_is_published_as_a_query_does(shop: BulkClient) -> None:
    online_store = channels(shop, product(shop))["Online Store"]
    sale = gql(shop, CREATE_COLLECTION, input={"title": "Sale"})["collectionCreate"]["collection"]["id"]
    gql(shop, CREATE_COLLECTION, input={"title": "Hidden"})
    gql(shop, PUBLISH, id=sale, input=[{"publicationId": online_store}])

    lines = exported(shop, COLLECTIONS)
    by_title = {line["title"]: line for line in lines if "title" in line}
    publications = [line for line in lines if line["__typename"] == "CollectionPublication"]

    assert set(by_title) == {"Sale", "Hidden"}
    assert [p["__parentId"] for p in publications] == [sale]
    assert publications[0]["publishedAt"].endswith("Z")
    queried = gql(shop, """query c($id: ID!) { collection(id: $id) { publications(first: 5) { nodes {
      isPublished publishDate publication { name } collection { id } } } } }""", id=sale)
    assert queried["collection"]["publications"]["nodes"] == [{
        "isPublished": True, "publishDate": publications[0]["publishedAt"], "publication": {"name": "Online Store"},
        "collection": {"id": sale}}]


def test_the_inventory_levels_stream_reads_each_locations_levels_under_the_locations_root(shop: BulkClient) -> None:
    location, *levels = exported(shop, LEVELS % "2020-01-01")
    later = exported(shop, LEVELS % "2099-01-01")
    variants = len(shop.graphql("{ productVariants(first: 100) { nodes { id } } }")["data"]["productVariants"]["nodes"])

    assert location["__typename"] == "Location" and location["id"].startswith("gid://shopify/Location/")
    assert len(levels) == variants >= 2, "one level per item at the shop's one location"
    assert {level["__parentId"] for level in levels} == {location["id"]}
    assert levels[0]["quantities"][0]["name"] == "available"
    assert levels[0]["item"]["inventory_item_id"].startswith("gid://shopify/InventoryItem/")
    assert later == [location], "the levels' query: keeps only those updated in its range"


def test_the_location_metafields_stream_reads_the_locations_metafields(shop: BulkClient) -> None:
    location_id = shop.graphql("{ locations(first: 1) { nodes { id } } }")["data"]["locations"]["nodes"][0]["id"]
    set_metafield = """mutation m($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }"""
    answered = shop.graphql(set_metafield, {"m": [{"ownerId": location_id, "namespace": "ops", "key": "dock",
                                                    "type": "single_line_text_field", "value": "B"}]})
    assert answered["data"]["metafieldsSet"]["userErrors"] == []

    location, metafield = exported(shop, LOCATION_METAFIELDS)

    assert location == {"__typename": "Location", "id": location_id}
    assert (metafield["key"], metafield["value"], metafield["__parentId"]) == ("dock", "B", location_id)


def test_the_inventory_items_stream_reads_one_item_per_variant_from_the_inventory_items_root(shop: BulkClient) -> None:
    variants = shop.graphql("{ productVariants(first: 100) { nodes { id sku } } }")["data"]["productVariants"]["nodes"]
    paged = shop.graphql("{ inventoryItems(first: 1, query: \"sku:B1-M\") { nodes { id sku } } }")["data"]

    items = exported(shop, INVENTORY_ITEMS)

    assert [(i["id"], i["sku"]) for i in items] == [
        (v["id"].replace("ProductVariant", "InventoryItem"), v["sku"]) for v in variants]
    assert items[0]["__typename"] == "InventoryItem" and items[0]["duplicateSkuCount"] == 0
    assert [node["sku"] for node in paged["inventoryItems"]["nodes"]] == ["B1-M"]


def test_events_answer_an_empty_page_as_bulkops_records_none(shop: BulkClient) -> None:
    """The connector's deleted_products stream reads ``action:destroy`` events."""
    answered = shop.graphql(DELETED_PRODUCTS, {"first": 250, "query": "action:destroy AND subject_type:Product"})

    assert answered["data"] == {"events": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}


def test_the_order_risks_stream_reads_each_orders_risk_summary_with_no_assessment(shop: BulkClient) -> None:
    """``OrderRiskAssessment.facts`` is in Shopify's schema; bulkops records no risk, so no assessment to list."""
    (order,) = exported(shop, ORDER_RISKS)

    assert order["__typename"] == "Order" and order["risk"] == {"recommendation": "NONE", "assessments": []}


def test_the_order_agreements_stream_reads_each_orders_sale_agreement_with_a_product_sale_per_line(
        shop: BulkClient) -> None:
    """Shopify records an order's sale as an OrderAgreement (reason ORDER) with a sale per line item; the
    connector's order_agreements stream fails on an order without one."""
    order, agreement, sale = exported(shop, ORDER_AGREEMENTS)

    assert (agreement["__typename"], agreement["reason"], agreement["__parentId"]) == (
        "OrderAgreement", "ORDER", order["id"])
    assert agreement["id"].startswith("gid://shopify/OrderAgreement/")
    assert (sale["__typename"], sale["__parentId"], sale["action_type"], sale["line_type"], sale["quantity"]) == (
        "ProductSale", agreement["id"], "ORDER", "PRODUCT", 1)
    assert sale["total_amount"] == {"shop_money": {"amount": "5.0", "currency_code": "USD"}}
    assert sale["line_item"]["id"].startswith("gid://shopify/LineItem/")
