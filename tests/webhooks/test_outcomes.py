"""A failed and a canceled operation each announce themselves once, over real HTTP (spec 6.2, 6.3)."""

from __future__ import annotations

import hmac
import json

from tests.server import ServerProcess
from tests.webhooks.flow import (
    finish_an_import,
    read_operation,
    settle,
    shopify_hmac,
    start_an_import,
    subscribe,
)
from tests.webhooks.receiver import Received, receiving

LINES_TO_CANCEL = 5_000
"""Far more than a worker gets through before the cancel that follows the start by milliseconds."""


def assert_signed_finish(request: Received, secret: str) -> None:
    assert request.header("X-Shopify-Topic") == "bulk_operations/finish"
    assert hmac.compare_digest(request.header("X-Shopify-Hmac-Sha256") or "", shopify_hmac(secret, request.body))


def test_an_import_that_times_out_is_posted_once_as_failed_with_a_lower_case_error_code(
        failing_server: ServerProcess) -> None:
    shop = failing_server.new_shop()
    client = failing_server.client(shop)
    with receiving() as receiver:
        subscribe(client, receiver.url)

        op = finish_an_import(client)
        [delivery] = settle(failing_server.data_dir, shop.name)
        requests = list(receiver.received)

    assert (op["status"], op["errorCode"]) == ("FAILED", "TIMEOUT")
    [request] = requests
    assert json.loads(request.body) == {
        "admin_graphql_api_id": op["id"],
        "completed_at": op["completedAt"],
        "created_at": op["createdAt"],
        "error_code": "timeout",
        "status": "failed",
        "type": "mutation",
    }
    assert op["completedAt"] is not None
    assert_signed_finish(request, shop.api_secret)
    assert (delivery["status"], delivery["operation_id"], delivery["attempt_count"]) == ("delivered", op["id"], 1)


def test_a_canceled_import_is_posted_once_as_canceled_without_completed_at_or_error_code(
        webhook_server: ServerProcess) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop)
    with receiving() as receiver:
        subscribe(client, receiver.url)

        operation_id = start_an_import(client, LINES_TO_CANCEL)
        assert client.cancel(operation_id)["userErrors"] == []
        client.wait(operation_id)
        op = read_operation(client, operation_id)
        [delivery] = settle(webhook_server.data_dir, shop.name)
        requests = list(receiver.received)

    assert op["status"] == "CANCELED"
    [request] = requests
    assert json.loads(request.body) == {
        "admin_graphql_api_id": op["id"],
        "completed_at": None,
        "created_at": op["createdAt"],
        "error_code": None,
        "status": "canceled",
        "type": "mutation",
    }
    assert_signed_finish(request, shop.api_secret)
    assert (delivery["status"], delivery["operation_id"], delivery["attempt_count"]) == ("delivered", op["id"], 1)
