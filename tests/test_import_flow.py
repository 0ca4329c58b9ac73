"""The whole import flow over HTTP: stage, upload, run, poll, download (spec 2, 3, 7, 11)."""

from __future__ import annotations

import orjson

from bulkops.client import BulkClient

CREATE_PRODUCT = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title handle } userErrors { field message } } }"
)


def jsonl(*objects: object) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in objects)


def test_a_bulk_productCreate_import_completes_with_one_result_line_per_input_line(shop_client: BulkClient) -> None:
    path = shop_client.stage(jsonl(*({"product": {"title": f"Board {i}"}} for i in range(3))))

    started = shop_client.run_mutation(CREATE_PRODUCT, path)

    assert started["userErrors"] == []
    assert started["bulkOperation"]["status"] == "CREATED"
    assert started["bulkOperation"]["query"] == CREATE_PRODUCT
    done = shop_client.wait(started["bulkOperation"]["id"])
    assert done["status"] == "COMPLETED"
    assert done["objectCount"] == "3" and done["rootObjectCount"] == "3"
    body = shop_client.download(done["url"])
    assert int(done["fileSize"]) == len(body)
    assert body.endswith(b"\n")
    lines = [orjson.loads(line) for line in body.splitlines()]
    assert [line["__lineNumber"] for line in lines] == [0, 1, 2]
    assert [line["data"]["productCreate"]["product"]["title"] for line in lines] == ["Board 0", "Board 1", "Board 2"]
    assert b'"gid:\\/\\/shopify\\/Product\\/' in body
