"""Two shops on one server cannot see each other's operations, files or products."""

from __future__ import annotations

import orjson

from tests.server import ServerProcess

CREATE = "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }"


def test_a_shop_cannot_see_or_touch_another_shops_operations_files_or_products(server: ServerProcess) -> None:
    alice = server.client(server.new_shop("alice"))
    bob = server.client(server.new_shop("bob"))
    path = alice.stage(orjson.dumps({"product": {"title": "Alice's board"}}) + b"\n")
    operation = alice.wait(alice.run_mutation(CREATE, path)["bulkOperation"]["id"])
    product_id = alice.results(operation["url"])[0]["data"]["productCreate"]["product"]["id"]

    seen_by_bob = bob.graphql(
        "query q($op: ID!, $product: ID!) { bulkOperation(id: $op) { id } node(id: $op) { id } "
        "product(id: $product) { id } products(first: 10) { edges { node { id } } } "
        "bulkOperations(first: 10) { edges { node { id } } } currentBulkOperation(type: MUTATION) { id } }",
        {"op": operation["id"], "product": product_id},
    )["data"]

    assert seen_by_bob == {"bulkOperation": None, "node": None, "product": None, "products": {"edges": []},
                           "bulkOperations": {"edges": []}, "currentBulkOperation": None}
    assert bob.cancel(operation["id"])["userErrors"] == [{"field": ["id"], "message": "Bulk operation does not exist"}]
    assert bob.run_mutation(CREATE, path)["userErrors"][0]["code"] == "NO_SUCH_FILE"
    assert alice.graphql("query q($id: ID!) { product(id: $id) { id } }", {"id": product_id})["data"] == \
        {"product": {"id": product_id}}
