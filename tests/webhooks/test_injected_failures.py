"""The control plane's WEBHOOK_FAIL fault: a delivery attempt fails as if the receiver had answered an error or
never answered, nothing is sent, and the retry schedule goes on as for a real failure (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bulkops.testing import ControlPlane
from tests.server import InProcessServer
from tests.webhooks.flow import finish_an_import, settle, subscribe
from tests.webhooks.receiver import receiving


@pytest.fixture
def control(webhook_server: InProcessServer) -> Iterator[ControlPlane]:
    with ControlPlane(webhook_server.base_url) as plane:
        yield plane
        plane.clear_faults()


def test_a_webhook_fail_fault_fails_the_first_attempts_without_sending_and_the_retry_delivers(
        webhook_server: InProcessServer, control: ControlPlane) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop)
    control.set_faults({"type": "WEBHOOK_FAIL", "status": 500, "times": 1, "match": {"shop": shop.domain}},
                       {"type": "WEBHOOK_FAIL", "timeout": True, "times": 1, "match": {"shop": shop.domain}})
    with receiving() as receiver:
        subscribe(client, receiver.url)
        finish_an_import(client)
        requests = receiver.wait_for(1)
        [delivery] = settle(webhook_server.data_dir, shop.name)

    assert len(requests) == 1
    assert delivery["status"] == "delivered"
    assert [(a["outcome"], a["response_code"]) for a in delivery["attempts"]] == [
        ("http_error", 500), ("timeout", None), ("success", 200)]
