"""Steps the control-plane tests share: products made through the Shopify endpoint, a bulk export of them, and
what a client sees of the shop (listings, ids)."""

from __future__ import annotations

from typing import Any

from bulkops.client import BulkClient

CREATE_PRODUCT = """
mutation create($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id title } userErrors { field message } }
}"""
EXPORT_PRODUCTS = "{ products { edges { node { id title handle } } } }"
LIST_PRODUCTS = "{ products(first: 50) { edges { node { id title } } } }"
LIST_OPERATIONS = "{ bulkOperations(first: 50) { edges { node { id status } } } }"


def create_products(client: BulkClient, titles: list[str]) -> list[str]:
    ids = []
    for title in titles:
        answer = client.graphql(CREATE_PRODUCT, {"product": {"title": title}})
        ids.append(answer["data"]["productCreate"]["product"]["id"])
    return ids


def export_products(client: BulkClient) -> dict[str, Any]:
    """A finished bulk export of the shop's products (its final state, with ``url``)."""
    started = client.run_query(EXPORT_PRODUCTS)
    assert started["userErrors"] == [], started
    return client.wait(started["bulkOperation"]["id"], interval=0.05, timeout=30)


def product_titles(client: BulkClient) -> list[str]:
    edges = client.graphql(LIST_PRODUCTS)["data"]["products"]["edges"]
    return [edge["node"]["title"] for edge in edges]


def operation_ids(client: BulkClient) -> list[str]:
    edges = client.graphql(LIST_OPERATIONS)["data"]["bulkOperations"]["edges"]
    return [edge["node"]["id"] for edge in edges]
