"""``/__bulkops/webhooks/...``: the delivery log, a redelivery of the same event, and ``bulk_operations/finish``
announced again for a finished operation, all sent by the deliverer to a real receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bulkops.client.control import ControlPlane, ControlPlaneError
from tests.app.control.flow import create_products, export_products
from tests.server import InProcessServer
from tests.webhooks.flow import subscribe
from tests.webhooks.receiver import receiving


def test_deliveries_are_listed_redelivered_and_a_finish_triggered_again(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, frozen=False) as server, server.control() as control, receiving() as receiver:
        shop = server.new_shop()
        client = server.client(shop)
        subscribe(client, receiver.url)
        create_products(client, ["Snowboard"])
        done = export_products(client)
        first = receiver.wait_for(1)[0]

        triggered = control.trigger_finish(done["id"])
        second = receiver.wait_for(2)[1]
        listed = control.deliveries(shop=shop.name)
        redelivered = control.redeliver(listed[-1]["id"])
        third = receiver.wait_for(3)[2]

    assert triggered == 1 and len(listed) == 2 and listed[-1]["operation_id"] == done["id"]
    assert first.body == second.body == third.body
    assert third.header("X-Shopify-Event-Id") == first.header("X-Shopify-Event-Id")
    assert len({r.header("X-Shopify-Webhook-Id") for r in (first, second, third)}) == 3
    assert redelivered > listed[0]["id"]


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    with InProcessServer(tmp_path_factory.mktemp("idle")) as server, server.control() as control:
        yield control


@pytest.mark.parametrize(("call", "status", "message"), [
    (lambda c: c.redeliver(999), 404, "no webhook delivery 999"),
    (lambda c: c.trigger_finish("gid://shopify/BulkOperation/999"), 404,
     "no bulk operation gid://shopify/BulkOperation/999"),
    (lambda c: c.trigger_finish("gid://shopify/Product/1"), 422,
     "'operationId' must be a BulkOperation id like gid://shopify/BulkOperation/1 (got 'gid://shopify/Product/1')"),
])
def test_a_webhook_call_that_cannot_be_done_says_why(idle: ControlPlane, call: Callable[[ControlPlane], object],
                                                     status: int, message: str) -> None:
    with pytest.raises(ControlPlaneError) as refused:
        call(idle)

    assert (refused.value.status, refused.value.message) == (status, message)


def test_a_finish_is_not_triggered_for_an_operation_still_running(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, {"workers": 0}) as server, server.control() as control:
        started = server.client(server.new_shop()).run_query("{ products { edges { node { id } } } }")["bulkOperation"]
        with pytest.raises(ControlPlaneError) as refused:
            control.trigger_finish(started["id"])

    assert refused.value.status == 409
    assert refused.value.message == (f"bulk operation {started['id']} is CREATED: only a finished one announces "
                                     "bulk_operations/finish")
