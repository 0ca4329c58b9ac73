"""The pytest plugin (``-p bulkops.pytest_plugin``), run by pytest's own ``pytester``: a user's suite gets one
server for the session and an empty shop in every test."""

from __future__ import annotations

import pytest

USERS_SUITE = '''
CREATE = 'mutation { productCreate(product: {title: "Made here"}) { product { id } } }'
LIST = "{ products(first: 10) { edges { node { id title } } } }"


def titles(client):
    return [e["node"]["title"] for e in client.graphql(LIST)["data"]["products"]["edges"]]


def test_one_makes_a_product_and_moves_the_clock(bulkops_client, bulkops_control):
    made = bulkops_client.graphql(CREATE)["data"]["productCreate"]["product"]["id"]
    bulkops_control.advance_clock("7d")
    assert made == "gid://shopify/Product/1" and titles(bulkops_client) == ["Made here"]


def test_two_starts_from_an_empty_shop_on_real_time(bulkops_client, bulkops_control, bulkops_server):
    assert titles(bulkops_client) == [] and not bulkops_control.clock().virtual
    made = bulkops_client.graphql(CREATE)["data"]["productCreate"]["product"]["id"]
    assert made == "gid://shopify/Product/1"
    assert bulkops_server.base_url.startswith("http://127.0.0.1:")


def test_three_without_the_server_starts_none():
    assert True
'''


def test_each_test_of_a_users_suite_gets_an_empty_shop_on_one_session_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_users_suite=USERS_SUITE)

    result = pytester.runpytest("-p", "bulkops.pytest_plugin", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=3)
