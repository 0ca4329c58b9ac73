"""A store loaded from its own export (``bulkops load``): the bulk-query result files here are written by hand from
the Admin API docs' examples, as Shopify writes them (``__parentId`` last, ``\\/`` and ``\\u003c`` escapes,
``groupObjects: true`` order). Loaded into a fresh shop, the query that produced a file exports it again byte for
byte; that export loaded into another fresh store exports the same bytes again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulkops.app.cli import app
from bulkops.client import BulkClient
from bulkops.domain.documents.listing import (
    POSITION,
    children_of_node,
    from_documents,
    nodes_of_type,
    present_node,
)
from bulkops.domain.documents.load import LoadReport, load_nodes
from bulkops.domain.shops.rules import Shop
from bulkops.graphql.bindings.nodes import LOADERS
from bulkops.graphql.planner.export_sources import PRESENTED, ROOTS
from bulkops.graphql.schema import BINDING_MODULES
from bulkops.testing import InProcessServer
from tests.scaleout import fresh_database, sqlalchemy_url

EXPORTS = Path(__file__).parent / "exports"
CUSTOMERS = "customers"
"""Customers with their addresses, consents and metafields, their orders with theirs, and the orders' line
items, every node into the domain's tables (orders into the orders tables; a line item's ``product`` and
``variant`` are not selected: the file holds neither node, and a line item reads them from the shop's
products): Customer, MailingAddress, CustomerEmailMarketingConsentState, CustomerSmsMarketingConsentState, Metafield, Order, MoneyBag, MoneyV2, LineItem, Image, ProductVariant, Product."""
COLLECTIONS = "collections"
"""A manual collection with its products (kept as the collection's members, in the file's order) and metafield."""
PRODUCTS = "products"
"""Products with options, SEO and metafields, their variants with selected options and inventory items, their
media images and the images' metafields: every node into the domain's tables."""
NODES = {COLLECTIONS: {"Collection": 1, "Product": 2, "Metafield": 1},
         CUSTOMERS: {"Customer": 2, "Metafield": 2, "Order": 2, "LineItem": 3},
         PRODUCTS: {"Product": 2, "ProductVariant": 3, "Metafield": 3, "MediaImage": 2}}


def test_every_type_the_server_stores_is_answered_from_its_table_never_from_documents_alone() -> None:
    bound = {*LOADERS} if BINDING_MODULES else set()  # every binding module imported: every loader registered
    stored = {*bound, *PRESENTED, *(source.type_name for source in ROOTS.values())}

    assert sorted(t for t in stored if from_documents(t)) == []


def export_file(name: str) -> tuple[str, bytes]:
    return (EXPORTS / f"{name}.graphql").read_text(), (EXPORTS / f"{name}.jsonl").read_bytes()


def export(client: BulkClient, query: str) -> bytes:
    started = client.run_query(query, group_objects=True)
    assert started["userErrors"] == []
    done = client.wait(started["bulkOperation"]["id"])
    assert done["status"] == "COMPLETED", done
    return client.download(done["url"]) if done["url"] else b""


def load(server: InProcessServer, shop: Shop, body: bytes, new_ids: bool = False) -> LoadReport:
    assert server.runtime is not None
    with server.runtime.db.write() as conn:
        return load_nodes(conn, shop.id, body.splitlines(keepends=True), server.clock.now(), new_ids=new_ids)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InProcessServer, InProcessServer]]:
    """Two servers with databases of their own (ids are kept, so each store's ids need a database of their own)."""
    with InProcessServer(tmp_path_factory.mktemp("first")) as first, \
            InProcessServer(tmp_path_factory.mktemp("second")) as second:
        yield first, second


@pytest.mark.parametrize("name", [CUSTOMERS, PRODUCTS, COLLECTIONS])
def test_a_loaded_export_exports_again_byte_for_byte_loaded_again_or_reloaded_elsewhere(
        stores: tuple[InProcessServer, InProcessServer], name: str) -> None:
    first, second = stores
    query, body = export_file(name)
    shop = first.new_shop(name)

    report = load(first, shop, body)
    exported = export(first.client(shop), query)
    reloaded = load(first, shop, body)
    other = second.new_shop(name)
    load(second, other, exported)

    assert report.errors == [] and dict(report.nodes) == NODES[name]
    assert exported == body
    assert reloaded.errors == [] and export(first.client(shop), query) == body
    assert export(second.client(other), query) == body


def escaped(gid: str) -> bytes:
    return gid.replace("/", "\\/").encode() + b'"'


@pytest.mark.parametrize("name", [CUSTOMERS, COLLECTIONS])
def test_with_new_ids_one_export_loads_into_two_shops_of_a_server_and_its_links_follow(
        stores: tuple[InProcessServer, InProcessServer], name: str) -> None:
    first, _ = stores
    query, body = export_file(name)
    one, two = first.new_shop(f"{name}-one"), first.new_shop(f"{name}-two")

    reports = [load(first, shop, body, new_ids=True) for shop in (one, two)]

    for shop, report in zip((one, two), reports, strict=True):
        assert report.errors == [] and report.new_ids is not None
        expected = body
        for old, new in report.new_ids.given.items():
            expected = expected.replace(escaped(old), escaped(new))
        assert export(first.client(shop), query) == expected
    given = [set(report.new_ids.given.values()) for report in reports if report.new_ids]
    assert len(given[0]) == len(given[1]) > 0 and not given[0] & given[1]


def test_the_round_trip_holds_on_postgresql(tmp_path: Path) -> None:
    with fresh_database("bulkops_load") as url, \
            InProcessServer(tmp_path, {"database_url": sqlalchemy_url(url)}) as server:
        shop = server.new_shop("pg")
        for name in (CUSTOMERS, PRODUCTS):
            query, body = export_file(name)
            report = load(server, shop, body)

            assert report.errors == [] and export(server.client(shop), query) == body


def renumbered(body: bytes, prefix: bytes) -> bytes:
    """The products file with every id of a table prefixed (ids are kept: a shop of its own needs its own)."""
    for kind in (b"Product", b"Variant", b"Metafield", b"Option", b"MediaImage"):
        body = body.replace(kind + b"\\/", kind + b"\\/" + prefix)
    return body


def test_children_listed_before_their_parents_wait_for_them_keeping_each_connection_s_order(stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    query, body = export_file(PRODUCTS)
    body = renumbered(body, b"2")
    shop = first.new_shop("reversed")

    lines = body.splitlines(keepends=True)
    report = load(first, shop, b"".join([*(line for line in lines if b"__parentId" in line),
                                        *(line for line in lines if b"__parentId" not in line)]))

    assert report.errors == [] and export(first.client(shop), query) == body


def test_loaded_nodes_answer_ordinary_queries_with_their_ids_kept(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    shop = first.new_shop("queries")
    load(first, shop, renumbered(export_file(PRODUCTS)[1], b"1"))

    data = first.client(shop).graphql("""{ product(id: "gid://shopify/Product/1632910392") {
      title handle variants(first: 5) { nodes { id sku } } metafield(namespace: "specs", key: "capacity_gb") { value }
    } products(first: 5, query: "status:draft") { nodes { id title } } }""")["data"]

    assert data["product"] == {
        "title": "IPod Nano - 8GB", "handle": "ipod-nano", "metafield": {"value": "8"},
        "variants": {"nodes": [{"id": "gid://shopify/ProductVariant/139072856", "sku": "IPOD2008PINK"},
                               {"id": "gid://shopify/ProductVariant/149148385", "sku": "IPOD2008RED"}]}}
    assert data["products"] == {"nodes": [{"id": "gid://shopify/Product/1921728736", "title": "IPod Touch 8GB"}]}


def test_a_type_with_no_table_is_listed_from_documents_and_filtered_on_their_quoted_dates(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    """No root connection of the served schema lists a type with no table any more (orders have theirs): the
    listing every such root will use is held here, below the bindings."""
    first, _ = stores
    shop = first.new_shop("draft-orders")
    load(first, shop, b"\n".join([
        b'{"id":"gid://shopify/DraftOrder/11","name":"#D1","updatedAt":"2024-01-31T23:59:59Z"}',
        b'{"id":"gid://shopify/DraftOrderLineItem/21","quantity":1,"__parentId":"gid://shopify/DraftOrder/11"}',
        b'{"id":"gid://shopify/DraftOrder/12","name":"#D2","updatedAt":"2024-02-01T00:00:00Z"}',
        b'{"id":"gid://shopify/DraftOrderLineItem/23","quantity":3,"__parentId":"gid://shopify/DraftOrder/12"}',
        b'{"id":"gid://shopify/DraftOrderLineItem/22","quantity":2,"__parentId":"gid://shopify/DraftOrder/12"}',
    ]))
    assert first.runtime is not None

    with first.runtime.db.read() as conn:
        listed = conn.execute(nodes_of_type(conn, shop.id, "DraftOrder", {
            "query": "updated_at:>='2024-02-01T00:00:00+00:00'"})).all()
        children = conn.execute(children_of_node(shop.id, "gid://shopify/DraftOrder/12", "DraftOrderLineItem")
                                .order_by(POSITION)).all()

    assert [present_node(row) for row in listed] == [
        {"__typename": "DraftOrder", "id": "gid://shopify/DraftOrder/12", "name": "#D2",
         "updatedAt": "2024-02-01T00:00:00Z"}]
    assert [(row.gid, row.document["quantity"]) for row in children] == [
        ("gid://shopify/DraftOrderLineItem/23", 3), ("gid://shopify/DraftOrderLineItem/22", 2)]


def test_loaded_orders_are_rows_of_the_orders_tables_searched_counted_and_totalled_like_created_ones(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    shop = first.new_shop("loaded-orders")
    body = export_file(CUSTOMERS)[1]
    for kind in (b"Customer", b"Metafield", b"Order", b"LineItem"):
        body = body.replace(kind + b"\\/", kind + b"\\/8")
    load(first, shop, body)

    data = first.client(shop).graphql("""{
      orders(first: 5, query: "financial_status:paid") { nodes { name customer { id } currentTotalPriceSet {
        presentmentMoney { amount currencyCode } } lineItems(first: 5) { nodes { name originalTotalSet {
        shopMoney { amount } } } } metafield(namespace: "my_fields", key: "purchase_order") { value } } }
      ordersCount { count }
      order(id: "gid://shopify/Order/8450789469") { subtotalLineItemsQuantity
        metafield(namespace: "my_fields", key: "purchase_order") { value } }
    }""")["data"]

    assert data == {
        "orders": {"nodes": [{"name": "#1002", "customer": {"id": "gid://shopify/Customer/8207119551"},
                              "currentTotalPriceSet": {"presentmentMoney": {"amount": "10.6", "currencyCode": "EUR"}},
                              "lineItems": {"nodes": [{"name": "Gift card",
                                                       "originalTotalSet": {"shopMoney": {"amount": "11.5"}}}]},
                              "metafield": None}]},
        "ordersCount": {"count": 2},
        "order": {"subtotalLineItemsQuantity": 0, "metafield": {"value": "123"}},
    }


ORDER_PARTS = """{ orders { edges { node {
  id name totalWeight taxLines { title rate priceSet { shopMoney { amount currencyCode } } }
  transactions { id kind status gateway amountSet { shopMoney { amount currencyCode } } }
  shippingLines { edges { node { id title code originalPriceSet { shopMoney { amount currencyCode } } } } }
} } } }"""


def test_an_order_s_tax_lines_weight_transactions_and_shipping_lines_round_trip_through_the_orders_tables(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    shop = first.new_shop("order-parts")
    body = (
        b'{"id":"gid:\\/\\/shopify\\/Order\\/7001","name":"#1001","totalWeight":"500","taxLines":[{"title":"GST",'
        b'"rate":0.06,"priceSet":{"shopMoney":{"amount":"1.2","currencyCode":"USD"}}}],"transactions":[{"id":'
        b'"gid:\\/\\/shopify\\/OrderTransaction\\/7002","kind":"SALE","status":"SUCCESS","gateway":"manual",'
        b'"amountSet":{"shopMoney":{"amount":"24.2","currencyCode":"USD"}}}]}\n'
        b'{"id":"gid:\\/\\/shopify\\/ShippingLine\\/7003","title":"Post","code":"POST","originalPriceSet":{'
        b'"shopMoney":{"amount":"3.0","currencyCode":"USD"}},"__parentId":"gid:\\/\\/shopify\\/Order\\/7001"}\n')

    report = load(first, shop, body)

    assert report.errors == [] and report.in_tables == 2
    assert export(first.client(shop), ORDER_PARTS) == body


def test_a_line_that_cannot_be_stored_is_reported_by_number_and_the_others_are_kept(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    report = load(first, first.new_shop("bad"), b"\n".join([
        b'{"id":"gid://shopify/Product/700","title":"Kept","handle":"kept"}',
        b'not json',
        b'{"title":"no id"}',
        b'{"id":"gid://shopify/ProductVariant/701","title":"orphan"}',
        b'{"id":"gid://shopify/ProductVariant/702","__parentId":"gid://shopify/Product/999"}',
        b'{"id":"gid://shopify/Metafield/703","namespace":"a","__parentId":"gid://shopify/Product/700"}',
        b'{"id":"gid://shopify/Order/704","__typename":"DraftOrder"}',
        b'',
        b'{"id":"gid://shopify/Metafield/705","namespace":"a","key":"b","value":"c","type":"single_line_text_field",'
        b'"__parentId":"gid://shopify/Product/700"}',
    ]))

    assert dict(report.nodes) == {"Product": 1, "Metafield": 1}
    assert report.errors == [
        "line 2: not JSON (invalid literal, expected 'null': line 1 column 1 (char 0))",
        "line 3: Invalid global id 'None' (every line needs the node's 'id', and '__parentId' a global id)",
        "line 4: gid://shopify/ProductVariant/701 names no product: export variants under products, or select "
        "'product { id }'",
        "line 6: gid://shopify/Metafield/703 lacks key, value, type (a metafield is stored with all four)",
        "line 7: '__typename' 'DraftOrder' is not the type of its id 'gid://shopify/Order/704'",
        "line 5: gid://shopify/ProductVariant/702: its product gid://shopify/Product/999 is not loaded (load the "
        "product's line first)",
    ]


def test_an_id_another_shop_of_the_server_holds_is_refused(stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    line = b'{"id":"gid://shopify/Customer/800","email":"one@example.com"}'
    load(first, first.new_shop("holder"), line)

    load(first, first.new_shop("holder"), b'{"id":"gid://shopify/Product/801","title":"Theirs"}')

    report = load(first, taker := first.new_shop("taker"), b"\n".join([
        line,
        b'{"id":"gid://shopify/Collection/802","title":"Mine"}',
        b'{"id":"gid://shopify/Product/801","__parentId":"gid://shopify/Collection/802"}',
        b'{"id":"gid://shopify/ProductVariant/803","__parentId":"gid://shopify/Product/801"}',
    ]))

    assert report.errors == [
        f"line {n}: gid://shopify/{kind} belongs to another shop of this server (ids are kept: load a store's "
        "export into a data dir or database of its own)" for n, kind in ((1, "Customer/800"), (3, "Product/801"))
    ] + ["line 4: gid://shopify/ProductVariant/803: its product gid://shopify/Product/801 is not loaded (load the "
         "product's line first)"]
    assert first.client(taker).graphql('{ collection(id: "gid://shopify/Collection/802") { title '
                                       'products(first: 5) { nodes { id } } } }')["data"] == {
        "collection": {"title": "Mine", "products": {"nodes": []}}}


def test_bulkops_load_stores_a_file_under_the_named_shop(stores: tuple[InProcessServer, InProcessServer],
                                                         tmp_path: Path) -> None:
    first, _ = stores
    shop = first.new_shop("cli")
    query, body = export_file(CUSTOMERS)
    path = tmp_path / "export.jsonl"
    path.write_bytes(body.replace(b"Customer\\/", b"Customer\\/9").replace(b"Metafield\\/", b"Metafield\\/9")
                     .replace(b"Order\\/", b"Order\\/9").replace(b"LineItem\\/", b"LineItem\\/9"))

    result = CliRunner().invoke(app, ["load", str(path), "--shop", shop.name, "--data-dir", str(first.data_dir)])

    assert result.exit_code == 0, result.output
    assert result.output == (f"Loaded 9 nodes into {shop.domain} (9 into tables): 2 Customer, 3 LineItem, "
                             "2 Metafield, 2 Order\n")
    assert export(first.client(shop), query) == path.read_bytes()


def test_ordinary_queries_read_loaded_documents_for_types_without_tables_and_fields_without_columns(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    shop = first.new_shop("documents")
    load(first, shop, b"\n".join([
        b'{"id":"gid://shopify/Product/901","title":"Nano","handle":"nano","onlineStoreUrl":"https://shop.example/nano",'
        b'"totalInventory":30}',  # a computed field: the table's variants say 0
        b'{"id":"gid://shopify/Customer/910","email":"sub@example.com"}',
        b'{"id":"gid://shopify/SubscriptionContract/911","status":"ACTIVE","__parentId":"gid://shopify/Customer/910"}',
        b'{"id":"gid://shopify/SubscriptionContract/912","status":"PAUSED","__parentId":"gid://shopify/Customer/910"}',
    ]))

    data = first.client(shop).graphql("""{
      product(id: "gid://shopify/Product/901") { title onlineStoreUrl totalInventory }
      customer(id: "gid://shopify/Customer/910") { subscriptionContracts(first: 5) { nodes { id status } } }
      node(id: "gid://shopify/SubscriptionContract/912") { ... on SubscriptionContract { status } }
      missing: node(id: "gid://shopify/SubscriptionContract/913") { id }
    }""")["data"]

    assert data == {
        "product": {"title": "Nano", "onlineStoreUrl": "https://shop.example/nano", "totalInventory": 0},
        "customer": {"subscriptionContracts": {"nodes": [
            {"id": "gid://shopify/SubscriptionContract/911", "status": "ACTIVE"},
            {"id": "gid://shopify/SubscriptionContract/912", "status": "PAUSED"}]}},
        "node": {"status": "PAUSED"},
        "missing": None,
    }


def test_a_list_the_shop_keeps_nothing_in_is_empty_and_a_stored_node_lists_the_documents_loaded_under_it(
        stores: tuple[InProcessServer, InProcessServer]) -> None:
    first, _ = stores
    shop = first.new_shop("empty")
    load(first, shop, b"\n".join([
        b'{"id":"gid://shopify/Customer/931","email":"cy@example.com"}',
        b'{"id":"gid://shopify/SubscriptionContract/932","status":"ACTIVE","__parentId":"gid://shopify/Customer/931"}',
    ]))
    client = first.client(shop)

    exported = export(client, "{ customers { edges { node { id companyContactProfiles { id } } } } }")
    queried = client.graphql("""{ customer(id: "gid://shopify/Customer/931") {
      companyContactProfiles { id } subscriptionContracts(first: 5) { nodes { status } } } }""")["data"]

    assert exported == b'{"id":"gid:\\/\\/shopify\\/Customer\\/931","companyContactProfiles":[]}\n'
    assert queried == {"customer": {"companyContactProfiles": [], "subscriptionContracts": {"nodes": [{"status": "ACTIVE"}]}}}
