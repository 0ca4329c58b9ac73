"""Incremental syncs: a connector asks every root for what changed since its last run, with the documented
quoted date (``updated_at:>='2025-11-01T00:00:00+00:00'``); a paginated query and a bulk export of the same
search return the same nodes (both read domain/<resource>/listing.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bulkops.client import BulkClient
from bulkops.testing import InProcessServer
from tests.engine.test_export_format import (
    COLLECTION_CREATE,
    CUSTOMER_CREATE,
    PRODUCT_SET,
    board,
    bulk_import,
    export,
    lines_of,
)

DAY = 24 * 3600.0


@pytest.fixture(scope="module")
def synced(clocked_server: InProcessServer) -> tuple[BulkClient, str]:
    """Board 1, a customer and a collection made on day 0; boards 2 and 3 (priced up to 31) and another of each
    made a day later. Returns the client and the moment between the two, written with a +02:00 offset."""
    client = clocked_server.client(clocked_server.new_shop("search"))
    clocked_server.advance(DAY - clocked_server.clock.now().hour * 3600.0)
    bulk_import(client, PRODUCT_SET, [board(1)])
    bulk_import(client, CUSTOMER_CREATE, [{"input": {"firstName": "Old", "email": "old@example.com"}}])
    bulk_import(client, COLLECTION_CREATE, [{"input": {"title": "Old line"}}])
    clocked_server.advance(DAY / 2)
    between = clocked_server.clock.now() + timedelta(hours=2)
    clocked_server.advance(DAY / 2)
    bulk_import(client, PRODUCT_SET, [board(2), board(3, sizes=("S", "XL"))])
    bulk_import(client, CUSTOMER_CREATE, [{"input": {"firstName": "New", "email": "new@example.com",
                                                     "tags": ["vip"]}}])
    bulk_import(client, COLLECTION_CREATE, [{"input": {"title": "New line"}}])
    return client, between.strftime("%Y-%m-%dT%H:%M:%S+02:00")


def _both(client: BulkClient, root: str, search: str, field: str) -> tuple[list[Any], list[Any]]:
    """What an export and a paginated query of ``root(query: search)`` give of ``field``."""
    arguments = f"query: {json.dumps(search)}"
    _, body = export(client, f"{{ {root}({arguments}) {{ edges {{ node {{ {field} }} }} }} }}")
    answered = client.graphql(f"{{ {root}(first: 50, {arguments}) {{ nodes {{ {field} }} }} }}")
    return [line[field] for line in lines_of(body)], [node[field] for node in answered["data"][root]["nodes"]]


@pytest.mark.parametrize(("root", "field", "changed"), [
    ("products", "handle", ["board-2", "board-3"]),
    ("productVariants", "sku", ["B2-S", "B2-M", "B2-L", "B3-S", "B3-XL"]),
    ("customers", "email", ["new@example.com"]),
    ("collections", "title", ["New line"]),
])
@pytest.mark.parametrize("quote", ["'", '"'])
def test_updated_since_a_quoted_moment_with_an_offset(synced: tuple[BulkClient, str], root: str, field: str,
                                                      changed: list[str], quote: str) -> None:
    client, between = synced

    exported, answered = _both(client, root, f"updated_at:>={quote}{between}{quote}", field)

    assert exported == answered == changed


def test_created_before_a_moment_and_a_future_one(synced: tuple[BulkClient, str]) -> None:
    client, between = synced

    assert _both(client, "productVariants", f"created_at:<'{between}'", "sku") == (["B1-S", "B1-M", "B1-L"],) * 2
    assert _both(client, "productVariants", "updated_at:>=2030-01-01T00:00:00Z", "sku") == ([], [])


def test_a_date_is_its_whole_day(synced: tuple[BulkClient, str]) -> None:
    """Day 0 starts at midnight UTC plus a few minutes (the fixture moved there), so ``between`` is on day 0."""
    client, between = synced
    day_0 = between[:10]

    assert _both(client, "customers", f"created_at:'{day_0}'", "email") == (["old@example.com"],) * 2
    assert _both(client, "customers", f"created_at:<='{day_0}'", "email") == (["old@example.com"],) * 2
    assert _both(client, "customers", f"created_at:>'{day_0}'", "email") == (["new@example.com"],) * 2
    assert _both(client, "customers", f"created_at:<'{day_0}'", "email") == ([], [])


def test_connectives_groups_and_negation(synced: tuple[BulkClient, str]) -> None:
    client, _ = synced

    assert _both(client, "products", "(handle:board-1 OR handle:board-3) AND NOT handle:board-1", "handle") == (
        ["board-3"], ["board-3"])
    assert _both(client, "products", "-handle:board-2 -(handle:board-1)", "handle") == (["board-3"], ["board-3"])
    assert _both(client, "customers", "tag:vip OR email:old@example.com", "email") == (
        ["old@example.com", "new@example.com"],) * 2


def test_prices_compare_as_numbers_not_text(synced: tuple[BulkClient, str]) -> None:
    """``price:>=21`` over text would take "100.00" as less than "21"; variants priced 10-12, 20-22, 30-31."""
    client, _ = synced

    assert _both(client, "productVariants", "price:>=21 price:<31", "sku") == (["B2-M", "B2-L", "B3-S"],) * 2
    assert _both(client, "productVariants", "price:>9.5 price:<=10", "sku") == (["B1-S"],) * 2


def test_fields_of_related_rows(synced: tuple[BulkClient, str]) -> None:
    """A product's ``sku:`` is any of its variants' (``-sku:`` none of them); a variant's ``product_status:``,
    ``product_ids:`` and ``gift_card:`` are its product's."""
    client, _ = synced
    numbers = [node["id"].rsplit("/", 1)[-1] for node in client.graphql(
        '{ products(first: 5, query: "handle:board-1 OR handle:board-3") { nodes { id } } }')["data"]["products"]["nodes"]]

    assert _both(client, "products", "sku:B2-M", "handle") == (["board-2"],) * 2
    assert _both(client, "products", "-sku:B2-M gift_card:false", "handle") == (["board-1", "board-3"],) * 2
    assert _both(client, "productVariants", f"product_ids:{','.join(numbers)} -sku:B1*", "sku") == (
        ["B3-S", "B3-XL"],) * 2
    assert _both(client, "productVariants", "product_status:draft OR gift_card:true", "sku") == ([], [])
