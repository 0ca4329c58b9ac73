"""``bulk_operations/finish`` delivered for real to an HTTP receiver on loopback (spec 6.2, 6.3)."""

from __future__ import annotations

import hmac
import json
import uuid
from datetime import datetime

from tests.server import InProcessServer
from tests.webhooks.flow import deliveries, finish_an_import, settle, shopify_hmac, subscribe
from tests.webhooks.receiver import HANG, receiving

API_VERSION = "2026-10"


def test_a_finished_import_is_posted_with_the_flat_payload_and_shopify_headers(webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop, API_VERSION)
    with receiving() as receiver:
        subscribe(client, receiver.url)

        op = finish_an_import(client)
        [request] = receiver.wait_for(1)

    expected = {
        "admin_graphql_api_id": op["id"],
        "completed_at": op["completedAt"],
        "created_at": op["createdAt"],
        "error_code": None,
        "status": "completed",
        "type": "mutation",
    }
    assert json.loads(request.body) == expected
    assert request.body == json.dumps(expected, separators=(",", ":")).encode()
    assert request.path == "/webhooks/bulk-finish"
    assert request.header("Content-Type") == "application/json"
    assert request.header("X-Shopify-Topic") == "bulk_operations/finish"
    assert request.header("X-Shopify-Shop-Domain") == shop.domain
    assert request.header("X-Shopify-API-Version") == API_VERSION
    assert uuid.UUID(request.header("X-Shopify-Webhook-Id") or "")
    assert uuid.UUID(request.header("X-Shopify-Event-Id") or "")
    triggered = datetime.fromisoformat((request.header("X-Shopify-Triggered-At") or "").replace("Z", "+00:00"))
    assert triggered.utcoffset() is not None and triggered.utcoffset().total_seconds() == 0
    assert hmac.compare_digest(request.header("X-Shopify-Hmac-Sha256") or "", shopify_hmac(shop.api_secret, request.body))


def test_the_signature_does_not_verify_with_another_shops_secret(webhook_server: InProcessServer) -> None:
    shop, other = webhook_server.new_shop(), webhook_server.new_shop()
    client = webhook_server.client(shop, API_VERSION)
    with receiving() as receiver:
        subscribe(client, receiver.url)
        finish_an_import(client)
        [request] = receiver.wait_for(1)

    assert request.header("X-Shopify-Hmac-Sha256") != shopify_hmac(other.api_secret, request.body)
    assert request.header("X-Shopify-Hmac-Sha256") != shopify_hmac(shop.api_secret, request.body + b" ")


def test_each_subscription_gets_its_own_delivery_of_one_shared_event(webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop, API_VERSION)
    with receiving() as first, receiving() as second:
        subscribe(client, first.url)
        subscribe(client, second.url)
        finish_an_import(client)
        [a], [b] = first.wait_for(1), second.wait_for(1)

    assert a.body == b.body
    assert a.header("X-Shopify-Event-Id") == b.header("X-Shopify-Event-Id")
    assert a.header("X-Shopify-Webhook-Id") != b.header("X-Shopify-Webhook-Id")


def test_a_receiver_that_fails_twice_gets_the_same_webhook_again_until_it_answers_2xx(
        webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop, API_VERSION)
    with receiving(500, 503) as receiver:
        subscribe(client, receiver.url)
        finish_an_import(client)
        requests = receiver.wait_for(3)
        settle(webhook_server.data_dir, shop.name)

    assert len({r.body for r in requests}) == 1
    assert len({r.header("X-Shopify-Webhook-Id") for r in requests}) == 1
    assert len({r.header("X-Shopify-Hmac-Sha256") for r in requests}) == 1
    [delivery] = deliveries(webhook_server.data_dir, shop.name)
    assert delivery["status"] == "delivered"
    assert delivery["webhook_id"] == requests[0].header("X-Shopify-Webhook-Id")
    assert [(a["number"], a["outcome"], a["response_code"]) for a in delivery["attempts"]] == [
        (1, "http_error", 500), (2, "http_error", 503), (3, "success", 200)]


def test_a_receiver_that_hangs_is_given_up_on_after_the_timeout_and_tried_again(
        webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop, API_VERSION)
    with receiving(HANG, hang_s=8.0) as receiver:
        subscribe(client, receiver.url)
        finish_an_import(client)
        receiver.wait_for(2)
        [delivery] = settle(webhook_server.data_dir, shop.name)

    assert delivery["status"] == "delivered"
    timed_out, answered = delivery["attempts"]
    assert (timed_out["outcome"], timed_out["response_code"]) == ("timeout", None)
    assert (answered["outcome"], answered["response_code"]) == ("success", 200)


def test_a_receiver_that_never_succeeds_is_tried_once_plus_each_retry_then_given_up(
        webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop, API_VERSION)
    with receiving(500, 500, 500, 500, 500) as receiver:
        subscribe(client, receiver.url)
        finish_an_import(client)
        [delivery] = settle(webhook_server.data_dir, shop.name)
        tries = len(receiver.received)

    assert delivery["status"] == "failed"
    assert tries == 4 == delivery["attempt_count"]
    assert [a["response_code"] for a in delivery["attempts"]] == [500, 500, 500, 500]
