"""The connections whose reads live in domain/<resource>/listing.py answer paging arguments over HTTP: a cursor
the server never gave is a top-level BAD_REQUEST, and sort keys, ``reverse`` and ``last``/``before`` order
the rows."""

from __future__ import annotations

import base64

import pytest

from bulkops.client import BulkClient

NOT_A_CURSOR = "not-a-cursor"
CONNECTIONS = {
    "giftCards": 'giftCards(first: 2, after: "not-a-cursor") { nodes { id } }',
    "marketingActivities": 'marketingActivities(first: 2, after: "not-a-cursor") { nodes { id } }',
    "priceLists": 'priceLists(first: 2, after: "not-a-cursor") { nodes { id } }',
    "metaobjects": 'metaobjects(type: "any", first: 2, after: "not-a-cursor") { nodes { id } }',
    "webhookSubscriptions": 'webhookSubscriptions(first: 2, after: "not-a-cursor") { nodes { id } }',
    "bulkOperations": 'bulkOperations(first: 2, before: "not-a-cursor") { nodes { id } }',
}
CARDS = "query cards($sort: GiftCardSortKeys, $reverse: Boolean) { giftCards(first: 10, sortKey: $sort, " \
        "reverse: $reverse) { nodes { lastCharacters } } }"
LAST_CARDS = "query cards($before: String) { giftCards(last: 2, before: $before, sortKey: CODE) { " \
             "edges { cursor node { lastCharacters } } pageInfo { hasNextPage hasPreviousPage } } }"


@pytest.mark.parametrize("field", sorted(CONNECTIONS))
def test_a_cursor_the_server_never_gave_is_a_bad_request(shop_client: BulkClient, field: str) -> None:
    body = shop_client.graphql(f"{{ {CONNECTIONS[field]} }}", version="2026-01")

    assert body["data"] is None
    [error] = body["errors"]
    assert (error["message"], error["path"]) == (f"Invalid cursor: {NOT_A_CURSOR}", [field])
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_a_cursor_that_is_not_one_of_ours_is_refused_even_when_well_encoded(shop_client: BulkClient) -> None:
    foreign = base64.b64encode(b'{"page": 2}').decode()
    body = shop_client.graphql("query c($a: String) { giftCards(first: 2, after: $a) { nodes { id } } }",
                               {"a": foreign})

    assert body["errors"][0]["message"] == f"Invalid cursor: {foreign}"


def _create_cards(client: BulkClient, codes: list[str]) -> None:
    for code in codes:
        body = client.graphql("mutation c($i: GiftCardCreateInput!) { giftCardCreate(input: $i) { userErrors "
                              "{ message } } }", {"i": {"initialValue": "5", "code": code}})
        assert body["data"]["giftCardCreate"]["userErrors"] == []


def _last_characters(client: BulkClient, sort: str, reverse: bool) -> list[str]:
    body = client.graphql(CARDS, {"sort": sort, "reverse": reverse})
    return [n["lastCharacters"] for n in body["data"]["giftCards"]["nodes"]]


def test_gift_cards_follow_their_sort_key_and_reverse(shop_client: BulkClient) -> None:
    _create_cards(shop_client, ["CCCCCCCC0003", "AAAAAAAA0001", "BBBBBBBB0002"])

    assert _last_characters(shop_client, "ID", False) == ["0003", "0001", "0002"]
    assert _last_characters(shop_client, "CODE", False) == ["0001", "0002", "0003"]
    assert _last_characters(shop_client, "CODE", True) == ["0003", "0002", "0001"]


def test_gift_cards_page_backwards_with_last_and_before(shop_client: BulkClient) -> None:
    _create_cards(shop_client, ["CCCCCCCC0003", "AAAAAAAA0001", "BBBBBBBB0002"])

    tail = shop_client.graphql(LAST_CARDS)["data"]["giftCards"]
    head = shop_client.graphql(LAST_CARDS, {"before": tail["edges"][0]["cursor"]})["data"]["giftCards"]

    assert [e["node"]["lastCharacters"] for e in tail["edges"]] == ["0002", "0003"]
    assert tail["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    assert [e["node"]["lastCharacters"] for e in head["edges"]] == ["0001"]
    assert head["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
