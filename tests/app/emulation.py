"""What the control-plane tests share: an import to start, the reads of an operation through each root, and a
wait for a status."""

from __future__ import annotations

import time
from typing import Any

import orjson

from bulkops.client import BulkClient

CREATE_PRODUCT = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
                  "{ product { id title } userErrors { field message } } }")
FIELDS = "id status objectCount errorCode url partialDataUrl"
BY_ID = f"query($id: ID!) {{ bulkOperation(id: $id) {{ {FIELDS} }} }}"
BY_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on BulkOperation {{ {FIELDS} }} }} }}"
CURRENT = f"{{ currentBulkOperation(type: MUTATION) {{ {FIELDS} }} }}"
LISTED = f"{{ bulkOperations(first: 5) {{ nodes {{ {FIELDS} }} }} }}"


def products(count: int) -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"Board {i}"}}) + b"\n" for i in range(count))


def start_import(client: BulkClient, count: int) -> dict[str, Any]:
    started = client.run_mutation(CREATE_PRODUCT, client.stage(products(count)))
    assert started["userErrors"] == []
    return started["bulkOperation"]


def read(client: BulkClient, document: str, operation_id: str | None = None) -> dict[str, Any]:
    data = client.graphql(document, {"id": operation_id} if operation_id else None)["data"]
    found = next(iter(data.values()))
    return found["nodes"][0] if "nodes" in found else found


def eventually(client: BulkClient, operation_id: str, status: str, object_count: str | None = None) -> dict[str, Any]:
    """Polls (with no rule that counts polls) until the operation shows ``status`` (and ``object_count``)."""
    deadline = time.monotonic() + 20
    while True:
        state = read(client, BY_ID, operation_id)
        if state["status"] == status and object_count in (None, state["objectCount"]):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.02)
