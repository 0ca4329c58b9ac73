"""Webhook subscription roots: create, read, list, update, delete, and Shopify's userErrors (spec 6.1)."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.server import ServerProcess
from tests.webhooks.flow import (
    CREATE_SUBSCRIPTION,
    DELETE_SUBSCRIPTION,
    LIST_SUBSCRIPTIONS,
    READ_SUBSCRIPTION,
    UPDATE_SUBSCRIPTION,
    subscribe,
)

RECEIVER = "https://hooks.example.com/bulk/finish"
ADDRESS_FIELD = ["webhookSubscription", "callbackUrl"]
UNKNOWN = "gid://shopify/WebhookSubscription/999999999"
NODE = "query n($id: ID!) { node(id: $id) { __typename id ... on WebhookSubscription { uri } } }"
DOES_NOT_EXIST = [{"field": ["id"], "message": "Webhook subscription does not exist"}]


def create_errors(client: BulkClient, sub: dict[str, object], topic: str = "BULK_OPERATIONS_FINISH") -> list[object]:
    payload = client.graphql(CREATE_SUBSCRIPTION, {"topic": topic, "sub": sub})["data"]["webhookSubscriptionCreate"]
    assert payload["webhookSubscription"] is None
    return payload["userErrors"]


def test_a_bulk_operations_finish_subscription_is_created_as_shopify_shows_it(shop_client: BulkClient) -> None:
    payload = subscribe(shop_client, RECEIVER)

    assert payload["userErrors"] == []
    sub = payload["webhookSubscription"]
    assert sub["id"].startswith("gid://shopify/WebhookSubscription/")
    assert sub["legacyResourceId"] == sub["id"].rsplit("/", 1)[1]
    assert (sub["topic"], sub["format"], sub["uri"], sub["callbackUrl"]) == (
        "BULK_OPERATIONS_FINISH", "JSON", RECEIVER, RECEIVER)
    assert sub["endpoint"] == {"__typename": "WebhookHttpEndpoint", "callbackUrl": RECEIVER}
    assert (sub["filter"], sub["includeFields"], sub["metafieldNamespaces"]) == (None, [], [])
    assert sub["apiVersion"] == {"handle": "2026-10", "displayName": "2026-10 (Latest)", "supported": True}
    assert sub["createdAt"] == sub["updatedAt"] and sub["createdAt"].endswith("Z")
    assert shop_client.graphql(READ_SUBSCRIPTION, {"id": sub["id"]})["data"]["webhookSubscription"] == sub


def test_the_deprecated_callbackUrl_input_names_the_address_too(shop_client: BulkClient) -> None:
    body = shop_client.graphql(CREATE_SUBSCRIPTION, {"topic": "BULK_OPERATIONS_FINISH",
                                                      "sub": {"callbackUrl": RECEIVER, "format": "JSON"}})

    assert body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["uri"] == RECEIVER


def test_plain_http_and_loopback_addresses_are_accepted_for_self_hosted_receivers(shop_client: BulkClient) -> None:
    """A deliberate departure: Shopify refuses http:// and internal hosts; a self-hosted server must not."""
    assert subscribe(shop_client, "http://127.0.0.1:9/hook")["userErrors"] == []


def test_a_missing_or_blank_address_cannot_be_blank(shop_client: BulkClient) -> None:
    assert create_errors(shop_client, {"format": "JSON"}) == [
        {"field": ADDRESS_FIELD, "message": "Address can't be blank"}]
    assert create_errors(shop_client, {"uri": "  "}) == [
        {"field": ADDRESS_FIELD, "message": "Address can't be blank"}]


def test_an_address_with_another_protocol_is_not_supported(shop_client: BulkClient) -> None:
    assert create_errors(shop_client, {"uri": "ftp://hooks.example.com/finish"}) == [
        {"field": ADDRESS_FIELD, "message": "Address protocol ftp:// is not supported"}]
    assert create_errors(shop_client, {"uri": "pubsub://my-project:bulk-finish"}) == [
        {"field": ADDRESS_FIELD, "message": "Address protocol pubsub:// is not supported"}]


def test_an_address_without_a_host_is_invalid(shop_client: BulkClient) -> None:
    assert create_errors(shop_client, {"uri": "https://"}) == [
        {"field": ADDRESS_FIELD, "message": "Address is invalid"}]
    assert create_errors(shop_client, {"uri": "hooks.example.com/finish"}) == [
        {"field": ADDRESS_FIELD, "message": "Address is invalid"}]


def test_xml_is_refused_because_deliveries_are_json(shop_client: BulkClient) -> None:
    assert create_errors(shop_client, {"uri": RECEIVER, "format": "XML"}) == [
        {"field": ["webhookSubscription", "format"],
         "message": "Format 'xml' is invalid for this webhook topic. Allowed formats: json"}]


def test_the_same_address_for_the_same_topic_has_already_been_taken(shop_client: BulkClient) -> None:
    subscribe(shop_client, RECEIVER)

    assert create_errors(shop_client, {"uri": RECEIVER, "format": "JSON"}) == [
        {"field": ADDRESS_FIELD, "message": "Address for this topic has already been taken"}]
    assert subscribe(shop_client, RECEIVER, topic="PRODUCTS_CREATE")["userErrors"] == []


def test_other_shops_may_use_the_same_address(server: ServerProcess) -> None:
    first, second = (server.client(server.new_shop()) for _ in range(2))

    assert subscribe(first, RECEIVER)["userErrors"] == []
    assert subscribe(second, RECEIVER)["userErrors"] == []


def test_an_update_changes_what_it_names_and_keeps_the_rest(shop_client: BulkClient) -> None:
    created = subscribe(shop_client, RECEIVER, includeFields=["status"])["webhookSubscription"]

    payload = shop_client.graphql(UPDATE_SUBSCRIPTION, {"id": created["id"], "sub": {"uri": RECEIVER + "/v2"}})

    updated = payload["data"]["webhookSubscriptionUpdate"]
    assert updated["userErrors"] == []
    sub = updated["webhookSubscription"]
    assert (sub["id"], sub["uri"], sub["topic"], sub["includeFields"]) == (
        created["id"], RECEIVER + "/v2", "BULK_OPERATIONS_FINISH", ["status"])
    assert sub["createdAt"] == created["createdAt"]


def test_an_update_to_an_address_already_taken_is_refused(shop_client: BulkClient) -> None:
    subscribe(shop_client, RECEIVER)
    other = subscribe(shop_client, RECEIVER + "/other")["webhookSubscription"]

    payload = shop_client.graphql(UPDATE_SUBSCRIPTION, {"id": other["id"], "sub": {"uri": RECEIVER}})

    assert payload["data"]["webhookSubscriptionUpdate"] == {
        "webhookSubscription": None,
        "userErrors": [{"field": ADDRESS_FIELD, "message": "Address for this topic has already been taken"}]}


def test_a_delete_removes_the_subscription(shop_client: BulkClient) -> None:
    sub = subscribe(shop_client, RECEIVER)["webhookSubscription"]

    payload = shop_client.graphql(DELETE_SUBSCRIPTION, {"id": sub["id"]})["data"]["webhookSubscriptionDelete"]

    assert payload == {"deletedWebhookSubscriptionId": sub["id"], "userErrors": []}
    assert shop_client.graphql(READ_SUBSCRIPTION, {"id": sub["id"]})["data"]["webhookSubscription"] is None
    assert subscribe(shop_client, RECEIVER)["userErrors"] == []


def test_unknown_subscriptions_do_not_exist(shop_client: BulkClient) -> None:
    update = shop_client.graphql(UPDATE_SUBSCRIPTION, {"id": UNKNOWN, "sub": {"uri": RECEIVER}})
    delete = shop_client.graphql(DELETE_SUBSCRIPTION, {"id": UNKNOWN})

    assert update["data"]["webhookSubscriptionUpdate"] == {"webhookSubscription": None, "userErrors": DOES_NOT_EXIST}
    assert delete["data"]["webhookSubscriptionDelete"] == {"deletedWebhookSubscriptionId": None,
                                                           "userErrors": DOES_NOT_EXIST}
    assert shop_client.graphql(READ_SUBSCRIPTION, {"id": UNKNOWN})["data"] == {"webhookSubscription": None}


def test_the_listing_filters_by_topic_and_address(shop_client: BulkClient) -> None:
    finish = subscribe(shop_client, RECEIVER)["webhookSubscription"]
    products = subscribe(shop_client, RECEIVER, topic="PRODUCTS_CREATE")["webhookSubscription"]

    def ids(**variables: object) -> list[str]:
        body = shop_client.graphql(LIST_SUBSCRIPTIONS, {"first": 10, **variables})
        return [n["id"] for n in body["data"]["webhookSubscriptions"]["nodes"]]

    assert ids() == [finish["id"], products["id"]]
    assert ids(topics=["BULK_OPERATIONS_FINISH"]) == [finish["id"]]
    assert ids(uri=RECEIVER) == [finish["id"], products["id"]]
    assert ids(uri=RECEIVER + "/nothing-here") == []
    assert ids(query="topic:PRODUCTS_CREATE") == [products["id"]]


def test_a_listing_needs_first_or_last(shop_client: BulkClient) -> None:
    body = shop_client.graphql(LIST_SUBSCRIPTIONS, {})

    assert body["errors"][0]["message"] == "you must provide one of first or last"


def test_a_shop_never_sees_or_changes_another_shops_subscriptions(server: ServerProcess) -> None:
    owner, stranger = (server.client(server.new_shop()) for _ in range(2))
    sub = subscribe(owner, RECEIVER)["webhookSubscription"]

    listed = stranger.graphql(LIST_SUBSCRIPTIONS, {"first": 10})["data"]["webhookSubscriptions"]["nodes"]
    read = stranger.graphql(READ_SUBSCRIPTION, {"id": sub["id"]})["data"]["webhookSubscription"]
    update = stranger.graphql(UPDATE_SUBSCRIPTION, {"id": sub["id"], "sub": {"uri": "https://evil.example.com"}})
    delete = stranger.graphql(DELETE_SUBSCRIPTION, {"id": sub["id"]})

    assert (listed, read) == ([], None)
    assert update["data"]["webhookSubscriptionUpdate"]["userErrors"] == DOES_NOT_EXIST
    assert delete["data"]["webhookSubscriptionDelete"]["userErrors"] == DOES_NOT_EXIST
    assert owner.graphql(READ_SUBSCRIPTION, {"id": sub["id"]})["data"]["webhookSubscription"]["uri"] == RECEIVER


def test_a_subscription_is_a_node(shop_client: BulkClient) -> None:
    sub = subscribe(shop_client, RECEIVER)["webhookSubscription"]

    body = shop_client.graphql(NODE, {"id": sub["id"]})

    assert body["data"]["node"] == {"__typename": "WebhookSubscription", "id": sub["id"], "uri": RECEIVER}
