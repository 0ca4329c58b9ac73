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


def test_a_staged_path_climbing_out_of_the_shops_prefix_finds_nothing(server: ServerProcess) -> None:
    alice = server.client(server.new_shop("alice"))
    bob_shop = server.new_shop("bob")
    bob = server.client(bob_shop)
    done = alice.wait(alice.run_mutation(CREATE, alice.stage(b'{"product": {"title": "ALICE SECRET"}}\n'))
                      ["bulkOperation"]["id"])
    alice_shop_id, number = done["url"].split("/bulk-operations/")[1].split("/")[:2]
    climbing = f"tmp/{bob_shop.id}/../../bulk-operations/{alice_shop_id}/{number}/bulk-{number}.jsonl"

    assert bob.run_mutation("mutation m($data: ProductCreateInput!) { productCreate(product: $data) { product { id } } }",
                            climbing)["userErrors"][0]["code"] == "NO_SUCH_FILE"


def test_a_filename_that_is_not_one_plain_segment_is_refused(server: ServerProcess) -> None:
    client = server.client(server.new_shop())
    stage = ('mutation s($name: String!) { stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, '
             'filename: $name, mimeType: "text/jsonl", httpMethod: POST}]) { stagedTargets { url } '
             "userErrors { field message } } }")

    for name in ("../../../../bulk-operations/1/1/bulk-1.jsonl", "a/b.jsonl", ".."):
        payload = client.graphql(stage, {"name": name})["data"]["stagedUploadsCreate"]
        assert payload["stagedTargets"] == [{"url": None}]
        assert payload["userErrors"] == [{"field": ["input", "0", "filename"],
                                          "message": f"{name}: is not a valid filename"}]
