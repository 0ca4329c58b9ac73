"""Deliveries are rows: they outlive a crashed server, and a shop's webhooks carry only its own operations."""

from __future__ import annotations

from pathlib import Path

from tests.server import InProcessServer, ServerProcess
from tests.webhooks.flow import DELETE_SUBSCRIPTION, finish_an_import, settle, stored_deliveries, subscribe, watch
from tests.webhooks.receiver import receiving

ONE_SLOW_RETRY = {"BULKOPS_WEBHOOK_RETRY_SCHEDULE": "3", "BULKOPS_WEBHOOK_TIMEOUT": "3"}
"""One retry 3 s after a failure: room to kill the server between the two tries (the kill follows the
recorded first try within milliseconds)."""


def test_a_retry_due_while_the_server_was_down_is_sent_by_the_next_server(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path, env=ONE_SLOW_RETRY).start()
    try:
        shop = first.new_shop()
        client = first.client(shop)
        with receiving(500) as receiver:
            subscribe(client, receiver.url)
            finish_an_import(client)
            client.close()
            receiver.wait_for(1)
            watch(tmp_path, shop.name, lambda report: bool(report) and report[0]["attempt_count"] == 1)
            first.kill()
            assert len(receiver.received) == 1

            second = ServerProcess(tmp_path, env=ONE_SLOW_RETRY).start()
            try:
                before, after = receiver.wait_for(2)
                [delivery] = settle(tmp_path, shop.name)
            finally:
                second.stop()
    finally:
        first.kill()

    assert after.body == before.body
    assert after.header("X-Shopify-Webhook-Id") == before.header("X-Shopify-Webhook-Id")
    assert delivery["status"] == "delivered"
    assert [(a["number"], a["response_code"]) for a in delivery["attempts"]] == [(1, 500), (2, 200)]


def test_a_shops_subscriptions_hear_only_about_its_own_operations(webhook_server: InProcessServer) -> None:
    alpha, beta = webhook_server.new_shop("alpha"), webhook_server.new_shop("beta")
    alpha_client, beta_client = webhook_server.client(alpha), webhook_server.client(beta)
    with receiving() as alpha_receiver, receiving() as beta_receiver:
        subscribe(alpha_client, alpha_receiver.url)
        subscribe(beta_client, beta_receiver.url)

        alpha_op = finish_an_import(alpha_client)
        settle(webhook_server.data_dir, alpha.name)
        beta_op = finish_an_import(beta_client)
        [beta_request] = beta_receiver.wait_for(1)
        settle(webhook_server.data_dir, beta.name)
        alpha_requests = list(alpha_receiver.received)

    assert [r.header("X-Shopify-Shop-Domain") for r in alpha_requests] == [alpha.domain]
    assert alpha_op["id"].encode() in alpha_requests[0].body
    assert beta_request.header("X-Shopify-Shop-Domain") == beta.domain
    assert beta_op["id"].encode() in beta_request.body
    assert [d["operation_id"] for d in stored_deliveries(webhook_server.data_dir, alpha.name)] == [alpha_op["id"]]
    assert [d["operation_id"] for d in stored_deliveries(webhook_server.data_dir, beta.name)] == [beta_op["id"]]


def test_subscriptions_to_other_topics_are_kept_but_never_fire(webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop)
    with receiving() as receiver:
        subscribe(client, receiver.url + "/products", topic="PRODUCTS_CREATE")
        subscribe(client, receiver.url)
        finish_an_import(client)
        [request] = receiver.wait_for(1)
        settle(webhook_server.data_dir, shop.name)

    assert request.path == "/webhooks/bulk-finish"
    assert [d["topic"] for d in stored_deliveries(webhook_server.data_dir, shop.name)] == ["BULK_OPERATIONS_FINISH"]


def test_include_fields_trims_the_payload_to_the_named_keys(webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop)
    with receiving() as receiver:
        subscribe(client, receiver.url, includeFields=["admin_graphql_api_id", "status"])
        op = finish_an_import(client)
        [request] = receiver.wait_for(1)

    assert request.body == b'{"admin_graphql_api_id":"%s","status":"completed"}' % op["id"].encode()



def test_a_subscription_that_has_delivered_can_be_deleted_and_its_history_stays(
        webhook_server: InProcessServer) -> None:
    shop = webhook_server.new_shop()
    client = webhook_server.client(shop)
    with receiving() as receiver:
        sub = subscribe(client, receiver.url)["webhookSubscription"]
        finish_an_import(client)
        settle(webhook_server.data_dir, shop.name)

    deleted = client.graphql(DELETE_SUBSCRIPTION, {"id": sub["id"]})["data"]["webhookSubscriptionDelete"]

    assert deleted == {"deletedWebhookSubscriptionId": sub["id"], "userErrors": []}
    assert [d["status"] for d in stored_deliveries(webhook_server.data_dir, shop.name)] == ["delivered"]
