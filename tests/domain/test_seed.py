"""``bulkops seed`` fills a shop with realistic data that the API then serves like any other."""

from __future__ import annotations

import subprocess
import sys

from tests.server import ServerProcess


def test_seed_adds_products_with_their_variants_customers_and_orders_to_the_named_shop(
        server: ServerProcess) -> None:
    shop = server.new_shop("seed")
    other = server.new_shop("untouched")

    done = subprocess.run(
        [sys.executable, "-m", "bulkops.cli", "seed", "--products", "40", "--variants-per-product", "8",
         "--customers", "25", "--orders", "12", "--shop", shop.name, "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, check=True,
    )

    client = server.client(shop)
    body = client.graphql("""{ products(first: 41) { edges { node { handle title vendor
      options { name values } variants(first: 9) { edges { node { title sku price selectedOptions { name } } } }
    } } } customers(first: 26) { edges { node { email phone } } } }""")["data"]  # one more of each; 932 points
    products = [e["node"] for e in body["products"]["edges"]]
    assert "40 products, 320 variants, 25 customers, 12 orders" in done.stdout
    assert len(products) == 40 and len({p["handle"] for p in products}) == 40
    assert all(p["title"] and p["vendor"] for p in products)
    assert [o["name"] for o in products[0]["options"]] == ["Size", "Color"]
    variants = products[0]["variants"]["edges"]
    assert len(variants) == 8 and len({v["node"]["title"] for v in variants}) == 8
    assert all(v["node"]["sku"] and v["node"]["price"] for v in variants)
    customers = [e["node"] for e in body["customers"]["edges"]]
    assert len(customers) == 25 and len({c["email"] for c in customers}) == 25
    orders = client.graphql("{ orders(first: 13) { nodes { customer { id } lineItems(first: 3) { nodes { sku } } } } }")
    assert len(orders["data"]["orders"]["nodes"]) == 12
    assert all(o["customer"] and o["lineItems"]["nodes"] for o in orders["data"]["orders"]["nodes"])
    assert server.client(other).graphql("{ products(first: 1) { edges { node { id } } } }")["data"] == {
        "products": {"edges": []}}


def test_seed_refuses_an_unknown_shop(server: ServerProcess) -> None:
    done = subprocess.run([sys.executable, "-m", "bulkops.cli", "seed", "--products", "1", "--shop", "no-such-shop",
                           "--data-dir", str(server.data_dir)], capture_output=True, text=True)

    assert done.returncode == 2 and "No shop named 'no-such-shop'" in done.stdout
