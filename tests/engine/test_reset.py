"""The reset's rules (engine twins): which tables each scope covers, and the work in flight is canceled and
waited for before its rows go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkops.engine.lifecycle import Status
from bulkops.engine.reset import KEPT, Scope, drain, reset, tables_of
from tests.engine.inprocess import InProcessBulk, products_jsonl


@pytest.fixture
def bulk(tmp_path: Path) -> Iterator[InProcessBulk]:
    bulk = InProcessBulk(tmp_path, chunk_lines=25)
    yield bulk
    bulk.close()


def names(scope: Scope, shop_owned: bool = False) -> set[str]:
    return {str(t.name) for t in tables_of(scope, shop_owned)}


def test_each_scope_covers_its_tables_and_all_covers_everything_but_shops_and_the_deployment() -> None:
    assert names(Scope.OPERATIONS) == {"staged_uploads", "bulk_operations", "bulk_chunks", "emulated_operations"}
    assert names(Scope.WEBHOOKS) == {"webhook_subscriptions", "webhook_deliveries", "webhook_attempts"}
    assert {"products", "product_variants", "product_options", "customers", "collection_products", "locations",
            "inventory_quantities", "metafields"} <= names(Scope.SHOP_DATA)
    assert names(Scope.SHOP_DATA).isdisjoint(names(Scope.OPERATIONS) | names(Scope.WEBHOOKS))
    assert {"virtual_clock", "request_log"} <= names(Scope.ALL) - names(Scope.ALL, shop_owned=True)
    assert names(Scope.ALL).isdisjoint(KEPT)


def test_children_are_deleted_before_their_parents() -> None:
    order = [str(t.name) for t in tables_of(Scope.ALL)]

    assert order.index("bulk_chunks") < order.index("bulk_operations")
    assert order.index("product_variants") < order.index("products")
    assert order.index("webhook_attempts") < order.index("webhook_deliveries")


def test_the_work_in_flight_is_canceled_and_waited_for(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(60))

    canceled, undrained = drain(bulk.engine, None, pause=lambda _: bulk.queue.run_pending())

    assert (canceled, undrained) == (1, 0)
    assert bulk.operation(op).status is Status.CANCELED


def test_another_shops_work_is_left_running(bulk: InProcessBulk) -> None:
    op = bulk.start_import(products_jsonl(10))
    other = bulk.new_shop()

    report = reset(bulk.engine, Scope.OPERATIONS, other.id, wait_s=0)
    bulk.queue.run_pending()

    assert (report.canceled, report.rows) == (0, {})
    assert bulk.operation(op).status is Status.COMPLETED
