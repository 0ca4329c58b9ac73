"""storeCreditAccountCredit: by customer (opening the account) or by account, read back on the customer."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

CREDIT = """mutation credit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
    storeCreditAccountTransaction { id amount { amount currencyCode } balanceAfterTransaction { amount } event
                                    expiresAt account { id balance { amount currencyCode } } }
    userErrors { field message code }
  }
}"""
ACCOUNTS = """query accounts($id: ID!) { customer(id: $id) { storeCreditAccounts(first: 5) { nodes {
  id balance { amount currencyCode } transactions(first: 5) { nodes { amount { amount } } } } } } }"""


def customer(client: BulkClient, email: str) -> str:
    body = client.graphql("mutation c($e: String!) { customerCreate(input: {email: $e}) { customer { id } } }",
                          {"e": email})
    return body["data"]["customerCreate"]["customer"]["id"]


def credit(client: BulkClient, target: str, amount: str, currency: str = "USD", **extra: object) -> dict:
    body = client.graphql(CREDIT, {"id": target, "creditInput": {
        "creditAmount": {"amount": amount, "currencyCode": currency}, **extra}})
    return body["data"]["storeCreditAccountCredit"]


def test_crediting_a_customer_opens_an_account_and_keeps_a_running_balance(shop_client: BulkClient) -> None:
    owner = customer(shop_client, "credit@example.com")

    first = credit(shop_client, owner, "10", expiresAt="2099-01-01T00:00:00Z")
    account_id = first["storeCreditAccountTransaction"]["account"]["id"]
    second = credit(shop_client, account_id, "2.50")

    assert first["userErrors"] == [] and second["userErrors"] == []
    transaction = second["storeCreditAccountTransaction"]
    assert (transaction["amount"], transaction["balanceAfterTransaction"]) == (
        {"amount": "2.5", "currencyCode": "USD"}, {"amount": "12.5"})
    assert transaction["event"] == "ADJUSTMENT"
    assert first["storeCreditAccountTransaction"]["expiresAt"] == "2099-01-01T00:00:00Z"
    accounts = shop_client.graphql(ACCOUNTS, {"id": owner})["data"]["customer"]["storeCreditAccounts"]["nodes"]
    assert accounts == [{"id": account_id, "balance": {"amount": "12.5", "currencyCode": "USD"},
                         "transactions": {"nodes": [{"amount": {"amount": "10.0"}}, {"amount": {"amount": "2.5"}}]}}]


def test_each_currency_has_its_own_account(shop_client: BulkClient) -> None:
    owner = customer(shop_client, "multi@example.com")
    credit(shop_client, owner, "5")
    credit(shop_client, owner, "7", "EUR")

    accounts = shop_client.graphql(ACCOUNTS, {"id": owner})["data"]["customer"]["storeCreditAccounts"]["nodes"]
    assert sorted(a["balance"]["currencyCode"] for a in accounts) == ["EUR", "USD"]


def test_credit_checks_amount_expiry_owner_account_and_currency(shop_client: BulkClient) -> None:
    owner = customer(shop_client, "checks@example.com")
    account_id = credit(shop_client, owner, "1")["storeCreditAccountTransaction"]["account"]["id"]

    zero = credit(shop_client, owner, "0", expiresAt="2001-01-01T00:00:00Z")
    no_owner = credit(shop_client, "gid://shopify/Customer/999999999", "1")
    no_account = credit(shop_client, "gid://shopify/StoreCreditAccount/999999999", "1")
    wrong_currency = credit(shop_client, account_id, "1", "EUR")

    assert zero == {"storeCreditAccountTransaction": None, "userErrors": [
        {"field": ["creditInput", "creditAmount", "amount"], "code": "NEGATIVE_OR_ZERO_AMOUNT",
         "message": "A positive amount must be used to credit a store credit account."},
        {"field": ["creditInput", "expiresAt"], "code": "EXPIRES_AT_IN_PAST",
         "message": "The expiry date must be in the future."}]}
    assert no_owner["userErrors"] == [{"field": ["id"], "message": "Owner does not exist", "code": "OWNER_NOT_FOUND"}]
    assert no_account["userErrors"][0]["code"] == "ACCOUNT_NOT_FOUND"
    assert wrong_currency["userErrors"][0]["code"] == "MISMATCHING_CURRENCY"


def test_bulk_credit_lines_accumulate_on_one_account(shop_client: BulkClient) -> None:
    owner = customer(shop_client, "bulkcredit@example.com")
    lines = run_bulk(shop_client, CREDIT, *({"id": owner, "creditInput": {
        "creditAmount": {"amount": "3", "currencyCode": "USD"}}} for _ in range(3)))

    balances = [line["data"]["storeCreditAccountCredit"]["storeCreditAccountTransaction"]["balanceAfterTransaction"]
                for line in lines]
    assert balances == [{"amount": "3.0"}, {"amount": "6.0"}, {"amount": "9.0"}]
    accounts = shop_client.graphql(ACCOUNTS, {"id": owner})["data"]["customer"]["storeCreditAccounts"]["nodes"]
    assert [a["balance"]["amount"] for a in accounts] == ["9.0"]
