"""The same server on PostgreSQL (the scale-out database): migrations, an import, listing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.server import ServerProcess

psycopg = pytest.importorskip("psycopg")
ADMIN_URL = os.environ.get("BULKOPS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id handle } userErrors { field message } } }")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh database's URL (psycopg's form), dropped afterwards."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    name = f"bulkops_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def pg_server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    url = pg_url.replace("postgresql://", "postgresql+psycopg://")
    process = ServerProcess(Path(tmp_path_factory.mktemp("pg")), env={"BULKOPS_DATABASE_URL": url,
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
