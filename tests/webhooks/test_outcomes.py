"""A failed and a canceled operation each announce themselves once, over real HTTP (spec 6.2, 6.3)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from bulkops.client import BulkClient
from tests.server import InProcessServer
from tests.webhooks.flow import (
    finish_an_import,
    read_operation,
    settle,
    shopify_hmac,
    start_an_import,
    subscribe,
)
from tests.webhooks.receiver import receiving

LINES_TO_CANCEL = 5_000
"""Far more than a worker gets through before the cancel that follows the start by milliseconds."""


def the_one_finish_webhook(server: InProcessServer, end_an_operation: Callable[[BulkClient], dict[str, Any]]
                           ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Subscribe a fresh shop, end one of its operations, and check that exactly one signed
    ``bulk_operations/finish`` request came of it, delivered at the first try. The operation as
    ``bulkOperation(id:)`` shows it, and the body received."""
    shop = server.new_shop()
    client = server.client(shop)
    with receiving() as receiver:
        subscribe(client, receiver.url)

        op = end_an_operation(client)
        [delivery] = settle(server.data_dir, shop.name)
        [request] = list(receiver.received)

    assert request.header("X-Shopify-Topic") == "bulk_operations/finish"
    assert hmac.compare_digest(request.header("X-Shopify-Hmac-Sha256") or "",
                               shopify_hmac(shop.api_secret, request.body))
    assert (delivery["status"], delivery["operation_id"], delivery["attempt_count"]) == ("delivered", op["id"], 1)
    return op, json.loads(request.body)


def cancel_an_import(client: BulkClient) -> dict[str, Any]:
    operation_id = start_an_import(client, LINES_TO_CANCEL)
    assert client.cancel(operation_id)["userErrors"] == []
    client.wait(operation_id)
    return read_operation(client, operation_id)


def test_an_import_that_times_out_is_posted_once_as_failed_with_a_lower_case_error_code(
        failing_server: InProcessServer) -> None:
    op, body = the_one_finish_webhook(failing_server, finish_an_import)

    assert (op["status"], op["errorCode"]) == ("FAILED", "TIMEOUT") and op["completedAt"] is not None
    assert body == {
        "admin_graphql_api_id": op["id"],
        "completed_at": op["completedAt"],
        "created_at": op["createdAt"],
        "error_code": "timeout",
        "status": "failed",
        "type": "mutation",
    }


def test_a_canceled_import_is_posted_once_as_canceled_without_completed_at_or_error_code(
        webhook_server: InProcessServer) -> None:
    op, body = the_one_finish_webhook(webhook_server, cancel_an_import)

    assert op["status"] == "CANCELED"
    assert body == {
        "admin_graphql_api_id": op["id"],
        "completed_at": None,
        "created_at": op["createdAt"],
        "error_code": None,
        "status": "canceled",
        "type": "mutation",
    }
