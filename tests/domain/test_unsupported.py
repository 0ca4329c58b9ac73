"""Subscription and remote payment-method mutations answer NOT_IMPLEMENTED, over HTTP and on a bulk line."""

from __future__ import annotations

import pytest

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

CANCEL = """mutation cancel($id: ID!) {
  subscriptionContractCancel(subscriptionContractId: $id) { contract { id } userErrors { field message } }
}"""
REMOTE = """mutation remote($customerId: ID!, $ref: CustomerPaymentMethodRemoteInput!) {
  customerPaymentMethodRemoteCreate(customerId: $customerId, remoteReference: $ref) {
    customerPaymentMethod { id } userErrors { field message }
  }
}"""


@pytest.mark.parametrize(("document", "variables", "name"), [
    (CANCEL, {"id": "gid://shopify/SubscriptionContract/1"}, "subscriptionContractCancel"),
    (REMOTE, {"customerId": "gid://shopify/Customer/1", "ref": {"stripePaymentMethod": {"customerId": "cus_1"}}},
     "customerPaymentMethodRemoteCreate"),
])
def test_unsupported_mutations_answer_a_top_level_NOT_IMPLEMENTED_error(shop_client: BulkClient, document: str,
                                                                         variables: dict, name: str) -> None:
    body = shop_client.graphql(document, variables)

    assert body["data"] == {name: None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_IMPLEMENTED"]
    assert body["errors"][0]["message"].startswith(f"{name} is not supported by this server")
    assert body["errors"][0]["path"] == [name]


def test_in_a_bulk_run_the_NOT_IMPLEMENTED_error_lands_on_each_line(shop_client: BulkClient) -> None:
    lines = run_bulk(shop_client, CANCEL, {"id": "gid://shopify/SubscriptionContract/1"},
                     {"id": "gid://shopify/SubscriptionContract/2"})

    assert [line["__lineNumber"] for line in lines] == [0, 1]
    for line in lines:
        assert line["errors"][0]["extensions"]["code"] == "NOT_IMPLEMENTED"
        assert line["data"] == {"subscriptionContractCancel": None}
