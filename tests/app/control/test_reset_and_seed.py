"""``/__bulkops/reset`` and ``/__bulkops/seed``: a reset leaves the shop as new (no products, no operations, no
files, ids from 1 again, real time), one scope or one shop at a time; the same seed after a reset gives the same
export, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bulkops.client.control import ControlPlane, ControlPlaneError
from bulkops.domain.shops.rules import Shop
from tests.app.control.flow import create_products, export_products, operation_ids, product_titles
from tests.domain.test_load import export, export_file
from tests.server import InProcessServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path) as server:
        yield server


@pytest.fixture
def control(server: InProcessServer) -> Iterator[ControlPlane]:
    with server.control() as control:
        yield control


def stored_files(server: InProcessServer) -> list[str]:
    assert server.runtime is not None
    return server.runtime.store.keys("bulk-operations/") + server.runtime.store.keys("tmp/")


def test_a_reset_empties_listings_files_and_id_counters_and_returns_to_real_time(
        server: InProcessServer, control: ControlPlane) -> None:
    client = server.client(server.new_shop())
    first_ids = create_products(client, ["Snowboard", "Wax"])
    export_products(client)
    control.advance_clock("2d")
    assert stored_files(server) != []

    report = control.reset()

    assert report.rows["products"] == 2 and report.rows["bulk_operations"] == 1 and report.rows["virtual_clock"] == 1
    assert report.files >= 1 and report.canceled == 0
    assert product_titles(client) == [] and operation_ids(client) == [] and stored_files(server) == []
    assert not control.clock().virtual
    assert create_products(client, ["Board"]) == first_ids[:1]
    assert export_products(client)["id"] == "gid://shopify/BulkOperation/1"


def test_a_reset_of_one_scope_and_one_shop_leaves_the_rest(server: InProcessServer, control: ControlPlane) -> None:
    mine, other = server.new_shop("mine"), server.new_shop("other")
    create_products(server.client(mine), ["Mine"])
    create_products(server.client(other), ["Other"])
    export_products(server.client(mine))

    control.reset("operations", shop=mine.name)
    assert product_titles(server.client(mine)) == ["Mine"] and operation_ids(server.client(mine)) == []
    control.reset("shop_data", shop=mine.name)

    assert product_titles(server.client(mine)) == [] and product_titles(server.client(other)) == ["Other"]


def test_a_reset_cancels_the_operations_in_flight_first(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, {"workers": 0}) as server, server.control() as control:
        client = server.client(server.new_shop())
        started = client.run_query("{ products { edges { node { id } } } }")["bulkOperation"]

        report = control.reset("operations", wait_seconds=0)

        assert started["status"] == "CREATED"
        assert (report.canceled, report.undrained) == (1, 1)  # no worker here to stop it: deleted all the same
        assert operation_ids(client) == []


def export_of(server: InProcessServer, shop: Shop) -> bytes:
    done = export_products(server.client(shop))
    return httpx.get(done["url"]).content


def test_the_same_seed_after_a_reset_gives_the_same_export(server: InProcessServer, control: ControlPlane) -> None:
    shop = server.new_shop()
    seeded = control.seed("products", count=5, seed=42, shop=shop.name, variants_per_product=2)
    first = export_of(server, shop)
    control.reset()
    control.seed("products", count=5, seed=42, shop=shop.name, variants_per_product=2)
    second = export_of(server, shop)
    control.reset()
    control.seed("products", count=5, seed=7, shop=shop.name, variants_per_product=2)

    assert seeded == {"shop": shop.domain, "fixture": "products", "products": 5, "variants": 10, "customers": 0}
    assert first == second and first.count(b"\n") == 5
    assert export_of(server, shop) != first


@pytest.mark.parametrize(("path", "body", "status", "message"), [
    ("/reset", {"scope": "everything"}, 422,
     "'scope' must be one of \"all\", \"operations\", \"shop_data\", \"webhooks\""),
    ("/reset", {"shop": "nobody"}, 404, "no shop named 'nobody'"),
    ("/seed", {"fixture": "orders"}, 422, "'fixture' must be one of products, customers (got 'orders')"),
    ("/reset", {"waitSeconds": 60}, 422, "'waitSeconds' must be between 0 and 5"),
    ("/reset", {"waitSeconds": True}, 422, "'waitSeconds' must be an integer or a number"),
    ("/seed", {"count": -1}, 422, "'count' must be between 0 and 1000000"),
    ("/seed", {"count": "ten"}, 422, "'count' must be an integer"),
])
def test_a_reset_or_seed_that_cannot_be_done_says_why(control: ControlPlane, path: str, body: dict[str, object],
                                                       status: int, message: str) -> None:
    with pytest.raises(ControlPlaneError) as refused:
        control.call("POST", path, body)

    assert (refused.value.status, refused.value.message) == (status, message)


def test_a_seed_in_bulk_export_jsonl_shape_stores_the_file_and_the_same_query_exports_it_byte_for_byte(
        server: InProcessServer, control: ControlPlane) -> None:
    query, body = export_file("products")
    shop = server.new_shop()

    stored = control.seed_export(body, shop=shop.name)
    exported = export(server.client(shop), query)
    again = control.seed_export(b'{"id": "gid://shopify/Product/1", "title": "Orphan"}\n{"nope": 1}\n', shop.name)

    assert stored["shop"] == shop.domain and stored["failed"] == 0 and stored["nodes"]["Product"] >= 1
    assert exported == body
    assert again["failed"] == 1 and len(again["errors"]) == 1 and "2" in again["errors"][0]


def test_a_jsonl_seed_with_a_bad_new_ids_flag_says_why(server: InProcessServer) -> None:
    answer = httpx.post(f"{server.base_url}/__bulkops/seed", params={"newIds": "maybe"},
                        content=b'{"id":"gid://shopify/Product/1"}\n', headers={"Content-Type": "application/jsonl"})

    assert (answer.status_code, answer.json()) == (422, {"error": "'newIds' must be true or false"})
