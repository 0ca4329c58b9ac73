"""A bulk productSet import of 130 products (four chunks) with options, variants and metafields reads back
identically through the products query (the catalog sync a bulk user runs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulkops.client import BulkClient
from bulkops.testing import InProcessServer
from tests.domain.shop_data_bulk import run_bulk

PRODUCTS = 130
"""Over three chunk boundaries (``CHUNK_LINES``), and every combination of the line shapes below (they repeat
every 60 products) twice over."""
CHUNK_LINES = 40
SET = """mutation set($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) { product { id handle } userErrors { field message code } }
}"""
READ_PAGE = """query page($after: String) {
  products(first: 25, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id handle title vendor productType status tags descriptionHtml
      options { name values }
      metafields(first: 2) { nodes { namespace key type value } }
      variants(first: 6) { nodes {
        title sku price compareAtPrice barcode taxable inventoryPolicy position selectedOptions { name value }
        metafields(first: 1) { nodes { namespace key type value } }
      } }
    }
  }
}"""
"""Sized to what each product holds (below), so a page costs under Shopify's 1,000 points."""
SIZES = ("S", "M", "L")
COLORS = ("Black", "White")


def catalog_line(n: int) -> dict[str, Any]:
    """Product ``n``: 2–6 variants (sizes × colors), two product metafields, one metafield per variant."""
    sizes, colors = SIZES[: 1 + n % 3], COLORS[: 1 + n % 2]
    variants = [
        {"optionValues": [{"optionName": "Size", "name": s}, {"optionName": "Color", "name": c}],
         "sku": f"SKU-{n}-{s}-{c}", "price": f"{10 + n % 50}.{n % 100:02d}",
         "compareAtPrice": f"{99 + n % 7}.00" if n % 4 == 0 else None, "barcode": f"0{n:06d}{i}",
         "taxable": n % 5 != 0, "inventoryPolicy": "CONTINUE" if n % 3 == 0 else "DENY",
         "metafields": [{"namespace": "custom", "key": "weight_g", "type": "number_integer", "value": str(100 + i)}]}
        for i, (s, c) in enumerate((s, c) for s in sizes for c in colors)
    ]
    return {
        "identifier": {"handle": f"catalog-item-{n}"},
        "input": {
            "title": f"Catalog Item {n}", "vendor": f"Vendor {n % 9}", "productType": ("Boards", "Boots")[n % 2],
            "status": ("ACTIVE", "DRAFT", "ARCHIVED")[n % 3], "tags": [f"batch-{n // 100}", "import"],
            "descriptionHtml": f"<p>Item <b>{n}</b> &amp; friends</p>",
            "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]},
                               {"name": "Color", "values": [{"name": c} for c in colors]}],
            "variants": variants,
            "metafields": [
                {"namespace": "custom", "key": "origin", "type": "single_line_text_field", "value": f"Plant {n % 4}"},
                {"namespace": "specs", "key": "flex", "type": "number_decimal", "value": f"{n % 10}.5"},
            ],
        },
    }


def expected_product(line: dict[str, Any]) -> dict[str, Any]:
    given = line["input"]
    return {
        "handle": line["identifier"]["handle"], "title": given["title"], "vendor": given["vendor"],
        "productType": given["productType"], "status": given["status"], "tags": given["tags"],
        "descriptionHtml": given["descriptionHtml"],
        "options": [{"name": o["name"], "values": [v["name"] for v in o["values"]]} for o in given["productOptions"]],
        "metafields": {"nodes": [{k: m[k] for k in ("namespace", "key", "type", "value")}
                                 for m in given["metafields"]]},
        "variants": {"nodes": [{
            "title": " / ".join(o["name"] for o in v["optionValues"]), "sku": v["sku"], "price": v["price"],
            "compareAtPrice": v["compareAtPrice"], "barcode": v["barcode"], "taxable": v["taxable"],
            "inventoryPolicy": v["inventoryPolicy"], "position": position,
            "selectedOptions": [{"name": o["optionName"], "value": o["name"]} for o in v["optionValues"]],
            "metafields": {"nodes": [{k: m[k] for k in ("namespace", "key", "type", "value")} for m in v["metafields"]]},
        } for position, v in enumerate(given["variants"], start=1)]},
    }


def read_all(client: BulkClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        body = client.graphql(READ_PAGE, {"after": after})
        assert "errors" not in body, body["errors"]
        page = body["data"]["products"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
def shop_client(tmp_path: Path) -> Iterator[BulkClient]:
    with InProcessServer(tmp_path, {"chunk_lines": CHUNK_LINES}) as server:
        client = server.client(server.new_shop())
        yield client
        client.close()


def test_a_bulk_productSet_of_many_products_reads_back_identically(shop_client: BulkClient) -> None:
    lines = [catalog_line(n) for n in range(PRODUCTS)]

    results = run_bulk(shop_client, SET, *lines)

    assert [r["__lineNumber"] for r in results] == list(range(PRODUCTS))
    assert all(r["data"]["productSet"]["userErrors"] == [] for r in results)
    ids = [r["data"]["productSet"]["product"]["id"] for r in results]
    stored = read_all(shop_client)
    assert [p["id"] for p in stored] == ids
    for product, line in zip(stored, lines, strict=True):
        assert {k: v for k, v in product.items() if k != "id"} == expected_product(line)
