"""A subscription whose deliveries keep failing for good is removed, as Shopify removes one created through the
Admin API (spec 6.3). On ``failing_server`` a delivery gives up after 2 tries and 2 given up in a row remove."""

from __future__ import annotations

from tests.server import InProcessServer
from tests.webhooks.flow import (
    READ_SUBSCRIPTION,
    UPDATE_SUBSCRIPTION,
    finish_an_import,
    settle,
    stored_deliveries,
    subscribe,
    subscription_ids,
)
from tests.webhooks.receiver import receiving

TRIES = 2
"""One try and the one retry of ``FAILING_FAST``."""


def test_a_subscription_is_removed_after_deliveries_failed_for_good_twice_in_a_row_and_hears_no_more(
        failing_server: InProcessServer) -> None:
    shop, other = failing_server.new_shop(), failing_server.new_shop()
    client, other_client = failing_server.client(shop), failing_server.client(other)
    with receiving(otherwise=500) as receiver:
        mine = subscribe(client, receiver.url)["webhookSubscription"]
        theirs = subscribe(other_client, receiver.url)["webhookSubscription"]
        finish_an_import(other_client)
        settle(failing_server.data_dir, other.name)
        finish_an_import(client)
        settle(failing_server.data_dir, shop.name)
        after_one = subscription_ids(client)

        finish_an_import(client)
        settle(failing_server.data_dir, shop.name, 2)
        after_two = subscription_ids(client)
        finish_an_import(client)
        tries_heard = len(receiver.received)

    assert after_one == [mine["id"]]
    assert after_two == []
    assert client.graphql(READ_SUBSCRIPTION, {"id": mine["id"]})["data"]["webhookSubscription"] is None
    history = stored_deliveries(failing_server.data_dir, shop.name)
    assert [(d["status"], d["attempt_count"]) for d in history] == [("failed", TRIES)] * 2
    assert tries_heard == 3 * TRIES
    assert subscription_ids(other_client) == [theirs["id"]]


def test_a_delivered_webhook_between_failures_starts_the_count_again(failing_server: InProcessServer) -> None:
    shop = failing_server.new_shop()
    client = failing_server.client(shop)
    with receiving(*[500] * TRIES, 200, otherwise=500) as receiver:
        sub = subscribe(client, receiver.url)["webhookSubscription"]
        for finished in (1, 2, 3):
            finish_an_import(client)
            settle(failing_server.data_dir, shop.name, finished)
        after_failed_delivered_failed = subscription_ids(client)

        finish_an_import(client)
        history = settle(failing_server.data_dir, shop.name, 4)

    assert after_failed_delivered_failed == [sub["id"]]
    assert subscription_ids(client) == []
    assert [d["status"] for d in history] == ["failed", "failed", "delivered", "failed"]


def test_updating_a_subscription_starts_the_count_again(failing_server: InProcessServer) -> None:
    shop = failing_server.new_shop()
    client = failing_server.client(shop)
    with receiving(otherwise=500) as receiver:
        sub = subscribe(client, receiver.url)["webhookSubscription"]
        finish_an_import(client)
        settle(failing_server.data_dir, shop.name)
        moved = client.graphql(UPDATE_SUBSCRIPTION, {"id": sub["id"], "sub": {"uri": receiver.url + "/v2"}})
        assert moved["data"]["webhookSubscriptionUpdate"]["userErrors"] == []
        finish_an_import(client)
        settle(failing_server.data_dir, shop.name, 2)
        after_update_and_one_failure = subscription_ids(client)

        finish_an_import(client)
        settle(failing_server.data_dir, shop.name, 3)

    assert after_update_and_one_failure == [sub["id"]]
    assert subscription_ids(client) == []
