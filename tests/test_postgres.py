"""The same server on PostgreSQL (the scale-out database): migrations, an import, listing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest

from bulkops.client import BulkClient
from tests.engine.test_export_format import PRODUCT_SET, board, bulk_import, export, lines_of
from tests.scaleout import fresh_database, sqlalchemy_url
from tests.server import ServerProcess

CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id handle } userErrors { field message } } }")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh database's URL (psycopg's form), dropped afterwards."""
    with fresh_database("bulkops_test") as url:
        yield url


@pytest.fixture(scope="module")
def pg_server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(Path(tmp_path_factory.mktemp("pg")), env={"BULKOPS_DATABASE_URL": sqlalchemy_url(pg_url),
                                                                       "BULKOPS_CHUNK_LINES": "40"})
    try:
        yield process.start()
    finally:
        process.stop()


def test_an_import_on_postgresql_completes_with_deduplicated_handles(pg_server: ServerProcess) -> None:
    client = pg_server.client(pg_server.new_shop())
    lines = b"".join(orjson.dumps({"product": {"title": "Same Title"}}) + b"\n" for _ in range(120))

    done = client.wait(client.run_mutation(CREATE, client.stage(lines))["bulkOperation"]["id"])
    handles = [line["data"]["productCreate"]["product"]["handle"] for line in client.results(done["url"])]

    assert done["status"] == "COMPLETED" and done["objectCount"] == "120"
    assert handles[:3] == ["same-title", "same-title-1", "same-title-2"]
    assert len(set(handles)) == 120


def test_listing_and_cancel_answers_are_the_same_on_postgresql(pg_server: ServerProcess) -> None:
    client = pg_server.client(pg_server.new_shop())
    done = client.wait(client.run_mutation(CREATE, client.stage(b'{"product": {"title": "x"}}\n'))
                       ["bulkOperation"]["id"])

    listed = client.graphql("{ bulkOperations(first: 5, query: \"status:completed\") { edges { node { id } } } }")

    assert [e["node"]["id"] for e in listed["data"]["bulkOperations"]["edges"]] == [done["id"]]
    assert client.cancel(done["id"])["userErrors"][0]["message"] == \
        "A bulk operation cannot be canceled when it is completed"


NEW_ITEM = ("mutation c($product: ProductCreateInput!) { productCreate(product: $product) "
            "{ product { variants(first: 1) { nodes { inventoryItem { id } } } } } }")
SET_QUANTITY = ("mutation s($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) "
                "{ inventoryAdjustmentGroup { id } userErrors { field message } } }")


def test_inventory_adjustment_groups_are_numbered_by_the_database(pg_server: ServerProcess, pg_url: str) -> None:
    """Over HTTP and in a bulk import's batch alike: the id sequence moves with them, so nothing else that
    inserts a group (another writer, a manual insert) is ever given an id already taken."""
    client = pg_server.client(pg_server.new_shop())
    item = client.graphql(NEW_ITEM, {"product": {"title": "Lamp"}})["data"]["productCreate"]["product"]
    location = client.graphql("{ location { id } }")["data"]["location"]["id"]

    def counted(quantity: int) -> dict[str, object]:
        return {"input": {"name": "available", "reason": "correction", "quantities": [
            {"inventoryItemId": item["variants"]["nodes"][0]["inventoryItem"]["id"], "locationId": location,
             "quantity": quantity, "changeFromQuantity": None}]}}

    direct = client.graphql(SET_QUANTITY, counted(1))["data"]["inventorySetQuantities"]
    lines = b"".join(orjson.dumps(counted(n)) + b"\n" for n in range(2, 5))
    done = client.wait(client.run_mutation(SET_QUANTITY, client.stage(lines))["bulkOperation"]["id"])
    batched = [line["data"]["inventorySetQuantities"] for line in client.results(done["url"])]

    numbers = [int(g["inventoryAdjustmentGroup"]["id"].rsplit("/", 1)[1]) for g in [direct, *batched]]
    with psycopg.connect(pg_url) as conn:
        following = conn.execute("SELECT nextval(pg_get_serial_sequence('inventory_adjustment_groups', 'id'))"
                                 ).fetchone()
    assert done["status"] == "COMPLETED" and len(set(numbers)) == 4
    assert following is not None and following[0] > max(numbers)


def test_searches_read_the_same_on_postgresql(pg_server: ServerProcess) -> None:
    """Quoted dates with an offset, groups, negation, numbers kept as text and escaped patterns, in PostgreSQL's
    SQL: the query and the export agree."""
    client = pg_server.client(pg_server.new_shop())
    bulk_import(client, PRODUCT_SET, [board(1), board(2), board(10)])
    search = ("updated_at:>='2000-01-01T00:00:00+02:00' (handle:board-1 OR handle:board-10 OR handle:board_2) "
              "-handle:board-1 title:Board*")

    assert _handles(client, "products", search, "handle") == ["board-10"]
    assert _handles(client, "productVariants", "price:>=100 price:<101.5", "sku") == ["B10-S", "B10-M"]


def _handles(client: BulkClient, root: str, search: str, field: str) -> list[str]:
    arguments = f"query: {orjson.dumps(search).decode()}"
    _, body = export(client, f"{{ {root}({arguments}) {{ edges {{ node {{ {field} }} }} }} }}")
    answered = client.graphql(f"{{ {root}(first: 50, {arguments}) {{ nodes {{ {field} }} }} }}")
    exported = [line[field] for line in lines_of(body)]
    assert exported == [node[field] for node in answered["data"][root]["nodes"]]
    return exported
CUSTOMER_CREATE = ("mutation c($input: CustomerInput!) { customerCreate(input: $input) "
                   "{ customer { id email } userErrors { field message } } }")


def test_customers_written_together_are_numbered_by_the_database_in_line_order(pg_server: ServerProcess,
                                                                             pg_url: str) -> None:
    """customerCreate's batched writer on PostgreSQL: one INSERT ... RETURNING per chunk gives ids in line
    order from the sequence; an email given twice in a chunk is refused on its second line, as one by one."""
    client = pg_server.client(pg_server.new_shop())
    emails = [f"c{n}@example.com" for n in range(100)]
    emails[50] = "c49@example.com"  # in the same chunk of 40 as its first use
    lines = b"".join(orjson.dumps({"input": {"email": e, "addresses": [{"city": "Ottawa", "countryCode": "CA"}],
                                             "emailMarketingConsent": {"marketingState": "SUBSCRIBED"}}}) + b"\n"
                     for e in emails)

    done = client.wait(client.run_mutation(CUSTOMER_CREATE, client.stage(lines))["bulkOperation"]["id"])
    answers = [line["data"]["customerCreate"] for line in client.results(done["url"])]
    after = client.graphql(CUSTOMER_CREATE, {"input": {"email": "after@example.com"}})["data"]["customerCreate"]

    numbers = [int(a["customer"]["id"].rsplit("/", 1)[1]) for a in answers if a["customer"]]
    assert done["status"] == "COMPLETED"
    assert answers[50] == {"customer": None, "userErrors": [{"field": ["email"],
                                                             "message": "Email has already been taken"}]}
    assert numbers == sorted(numbers) and len(set(numbers)) == 99
    assert int(after["customer"]["id"].rsplit("/", 1)[1]) > max(numbers)


def test_live_progress_and_the_failed_lines_file_on_postgresql(pg_server: ServerProcess) -> None:
    client = pg_server.client(pg_server.new_shop())
    good = b"".join(orjson.dumps({"product": {"title": f"Board {i}"}}) + b"\n" for i in range(100))
    bad = b'{"product": {"title": ""}}\n'
    done = client.wait(client.run_mutation(CREATE, client.stage(good + bad))["bulkOperation"]["id"])

    live = client.live_progress(done["id"])

    assert live is not None and live["status"] == "COMPLETED"
    assert (live["progress"]["totalLines"], live["progress"]["linesDone"]) == (101, 101)
    assert client.download(live["files"]["failedLinesUrl"]) == bad
    assert [event.data["status"] for event in client.events(done["id"])] == ["COMPLETED"]


ORDER_CREATE = ("mutation call($order: OrderCreateOrderInput!) { orderCreate(order: $order) "
                "{ order { id name lineItems(first: 2) { nodes { id } } } userErrors { code } } }")


def test_orders_written_together_are_numbered_by_the_database_in_line_order(pg_server: ServerProcess) -> None:
    """orderCreate's batched writer on PostgreSQL: orders, then their line items, each one INSERT per chunk with
    ids in line order; a refused line writes nothing and takes no order number."""
    client = pg_server.client(pg_server.new_shop())
    item = {"title": "Mug", "quantity": 1, "priceSet": {"shopMoney": {"amount": "4", "currencyCode": "USD"}}}
    orders = [{"order": {"lineItems": [item, item] if n != 30 else [{**item, "quantity": 0}]}} for n in range(60)]

    done = client.wait(client.run_mutation(ORDER_CREATE, client.stage(
        b"".join(orjson.dumps(o) + b"\n" for o in orders)))["bulkOperation"]["id"])
    answers = [line["data"]["orderCreate"] for line in sorted(client.results(done["url"]),
                                                              key=lambda line: line["__lineNumber"])]
    after = client.graphql(ORDER_CREATE, {"order": {"lineItems": [item]}})["data"]["orderCreate"]["order"]

    created = [a["order"] for a in answers if a["order"]]
    order_numbers = [int(o["id"].rsplit("/", 1)[1]) for o in created]
    item_numbers = [int(li["id"].rsplit("/", 1)[1]) for o in created for li in o["lineItems"]["nodes"]]
    assert done["status"] == "COMPLETED" and answers[30] == {"order": None, "userErrors": [{"code": "INVALID"}]}
    assert order_numbers == sorted(order_numbers) and len(set(order_numbers)) == 59
    assert item_numbers == sorted(item_numbers) and len(set(item_numbers)) == 118
    assert [o["name"] for o in created] == [f"#{1001 + n}" for n in range(59)] and after["name"] == "#1060"
