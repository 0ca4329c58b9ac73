"""An export's ``query:`` says what a paginated query's says: both read the same listing
(domain/<resource>/listing.py), so a bulk export with a filter writes exactly the nodes the query returns."""

from __future__ import annotations

from typing import Any

import pytest

from bulkops.client import BulkClient
from tests.engine.test_export_format import (
    COLLECTION_CREATE,
    CUSTOMER_CREATE,
    PRODUCT_SET,
    board,
    bulk_import,
    export,
    lines_of,
)
from tests.server import ServerProcess

PLAIN_COLLECTION_FIELDS = "id legacyResourceId title handle descriptionHtml sortOrder templateSuffix updatedAt"


@pytest.fixture(scope="module")
def shop(server: ServerProcess) -> BulkClient:
    """Boards 1-3 (variants priced 10-12, 20-22, 30-32), a custom collection of boards 3 and 1, a smart
    collection of the titles containing "Board 2", and two customers, one tagged ``vip``."""
    client = server.client(server.new_shop("filters"))
    bulk_import(client, PRODUCT_SET, [board(1), board(2), board(3)])
    ids = product_ids(client)
    created = bulk_import(client, COLLECTION_CREATE, [
        {"input": {"title": "Pro line", "products": [ids["board-3"], ids["board-1"]]}},
        {"input": {"title": "Twos", "ruleSet": {"appliedDisjunctively": False, "rules": [
            {"column": "TITLE", "relation": "CONTAINS", "condition": "Board 2"}]}}},
    ])
    assert all(r["data"]["collectionCreate"]["userErrors"] == [] for r in created)
    bulk_import(client, CUSTOMER_CREATE, [
        {"input": {"firstName": "Ada", "email": "ada@example.com", "tags": ["vip"]}},
        {"input": {"firstName": "Bo", "email": "bo@example.com"}},
    ])
    return client


def product_ids(client: BulkClient) -> dict[str, str]:
    answered = client.graphql("{ products(first: 10) { edges { node { id handle } } } }")
    return {e["node"]["handle"]: e["node"]["id"] for e in answered["data"]["products"]["edges"]}


def collection_number(client: BulkClient, title: str) -> str:
    answered = client.graphql(f'{{ collections(first: 5, query: "title:\'{title}\'") {{ nodes {{ id }} }} }}')
    return answered["data"]["collections"]["nodes"][0]["id"].rsplit("/", 1)[-1]


def exported_and_answered(client: BulkClient, root: str, arguments: str, fields: str
                          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    _, body = export(client, f"{{ {root}({arguments}) {{ edges {{ node {{ {fields} }} }} }} }}")
    answered = client.graphql(f"{{ {root}(first: 50, {arguments}) {{ edges {{ node {{ {fields} }} }} }} }}")
    return lines_of(body), [edge["node"] for edge in answered["data"][root]["edges"]]


def test_variants_filtered_by_price_export_what_the_query_returns(shop: BulkClient) -> None:
    exported, answered = exported_and_answered(shop, "productVariants", 'query: "price:>=21"', "sku price")

    assert exported == answered
    assert sorted(line["sku"] for line in exported) == ["B2-L", "B2-M", "B3-L", "B3-M", "B3-S"]


@pytest.mark.parametrize("fields", [
    "handle",  # plain columns: read through the driver
    "handle seo { title }",  # an object field: whole rows through the presenter
])
@pytest.mark.parametrize(("title", "handles"), [
    ("Pro line", ["board-1", "board-3"]),  # a custom collection: its rows
    ("Twos", ["board-2"]),  # a smart collection: its rules
])
def test_products_filtered_by_collection_export_what_the_query_returns(shop: BulkClient, title: str,
                                                                       handles: list[str], fields: str) -> None:
    number = collection_number(shop, title)

    exported, answered = exported_and_answered(shop, "products", f'query: "collection_id:{number}"', fields)

    assert exported == answered
    assert sorted(line["handle"] for line in exported) == handles


def test_products_outside_a_collection_export_what_the_query_returns(shop: BulkClient) -> None:
    number = collection_number(shop, "Pro line")

    exported, answered = exported_and_answered(shop, "products", f'query: "-collection_id:{number}"', "handle")

    assert exported == answered == [{"handle": "board-2"}]


def test_customers_without_a_tag_export_what_the_query_returns(shop: BulkClient) -> None:
    exported, answered = exported_and_answered(shop, "customers", 'query: "tag_not:vip"', "email")

    assert exported == answered == [{"email": "bo@example.com"}]


def test_collections_of_a_type_export_what_the_query_returns(shop: BulkClient) -> None:
    exported, answered = exported_and_answered(shop, "collections", 'query: "collection_type:smart"', "title")

    assert exported == answered == [{"title": "Twos"}]


def test_plain_collection_fields_read_straight_from_rows_equal_a_normal_query(shop: BulkClient) -> None:
    exported, answered = exported_and_answered(shop, "collections", "sortKey: TITLE",
                                               f"__typename {PLAIN_COLLECTION_FIELDS}")

    assert exported == answered
    assert [line["title"] for line in exported] == ["Pro line", "Twos"]
