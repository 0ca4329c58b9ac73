"""giftCardCreate / giftCardUpdate, read back through giftCards and node."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

CARD = ("id balance { amount currencyCode } initialValue { amount currencyCode } lastCharacters maskedCode "
        "enabled expiresOn note customer { email }")
CREATE = f"""mutation create($input: GiftCardCreateInput!) {{
  giftCardCreate(input: $input) {{ giftCard {{ {CARD} }} giftCardCode userErrors {{ field message code }} }}
}}"""
UPDATE = f"""mutation update($id: ID!, $input: GiftCardUpdateInput!) {{
  giftCardUpdate(id: $id, input: $input) {{ giftCard {{ {CARD} }} userErrors {{ field message }} }}
}}"""
LIST = "query list($q: String) { giftCards(first: 10, query: $q) { nodes { lastCharacters note } } }"
NODE = f"query node($id: ID!) {{ node(id: $id) {{ ... on GiftCard {{ {CARD} }} }} }}"


def create(client: BulkClient, **fields: object) -> dict:
    return client.graphql(CREATE, {"input": fields})["data"]["giftCardCreate"]


def customer(client: BulkClient, email: str) -> str:
    body = client.graphql("mutation c($e: String!) { customerCreate(input: {email: $e}) { customer { id } } }",
                          {"e": email})
    return body["data"]["customerCreate"]["customer"]["id"]


def test_a_gift_card_starts_with_its_initial_value_as_balance(shop_client: BulkClient) -> None:
    owner = customer(shop_client, "gc@example.com")
    payload = create(shop_client, initialValue="25", code="ABCD-EFGH-1234", customerId=owner, note="thanks")

    assert payload["userErrors"] == []
    assert payload["giftCardCode"] == "abcdefgh1234"
    card = payload["giftCard"]
    assert card["balance"] == {"amount": "25.0", "currencyCode": "USD"} == card["initialValue"]
    assert (card["lastCharacters"], card["maskedCode"]) == ("1234", "•••• •••• •••• 1234")
    assert card["customer"] == {"email": "gc@example.com"}
    assert shop_client.graphql(NODE, {"id": card["id"]})["data"]["node"] == card


def test_a_code_is_generated_when_none_is_given(shop_client: BulkClient) -> None:
    payload = create(shop_client, initialValue="10.50")
    code = payload["giftCardCode"]
    assert len(code) == 16 and code.isalnum()
    assert payload["giftCard"]["lastCharacters"] == code[-4:]
    assert payload["giftCard"]["balance"]["amount"] == "10.5"


def test_create_checks_value_code_customer_and_expiry(shop_client: BulkClient) -> None:
    create(shop_client, initialValue="5", code="TAKENCODE1")

    payload = create(shop_client, initialValue="0", code="TAKENCODE1", customerId="gid://shopify/Customer/999999999",
                     expiresOn="2001-01-01")
    short = create(shop_client, initialValue="5", code="abc")

    assert payload == {"giftCard": None, "giftCardCode": None, "userErrors": [
        {"field": ["input", "initialValue"], "message": "Initial value must be greater than 0",
         "code": "GREATER_THAN"},
        {"field": ["input", "code"], "message": "Code has already been taken", "code": "TAKEN"},
        {"field": ["input", "customerId"], "message": "Customer does not exist", "code": "CUSTOMER_NOT_FOUND"},
        {"field": ["input", "expiresOn"], "message": "Expires on must be in the future", "code": "INVALID"},
    ]}
    assert short["userErrors"] == [{"field": ["input", "code"], "code": "TOO_SHORT",
                                    "message": "Code is too short (minimum is 8 characters)"}]


def test_update_changes_note_expiry_and_customer(shop_client: BulkClient) -> None:
    card = create(shop_client, initialValue="5")["giftCard"]
    owner = customer(shop_client, "later@example.com")

    payload = shop_client.graphql(UPDATE, {"id": card["id"], "input": {
        "note": "resent", "expiresOn": "2099-12-31", "customerId": owner}})["data"]["giftCardUpdate"]
    missing = shop_client.graphql(UPDATE, {"id": "gid://shopify/GiftCard/999999999", "input": {"note": "x"}})

    assert payload["userErrors"] == []
    assert (payload["giftCard"]["note"], payload["giftCard"]["expiresOn"]) == ("resent", "2099-12-31")
    assert payload["giftCard"]["customer"] == {"email": "later@example.com"}
    assert missing["data"]["giftCardUpdate"] == {"giftCard": None, "userErrors": [
        {"field": ["id"], "message": "Gift card does not exist"}]}


def test_gift_cards_are_listed_and_filtered_by_status(shop_client: BulkClient) -> None:
    create(shop_client, initialValue="5", code="FIRSTCARD1", note="a")
    create(shop_client, initialValue="5", code="SECONDCARD", note="b", expiresOn="2099-01-01")

    listed = shop_client.graphql(LIST, {})["data"]["giftCards"]["nodes"]
    enabled = shop_client.graphql(LIST, {"q": "status:enabled"})["data"]["giftCards"]["nodes"]
    disabled = shop_client.graphql(LIST, {"q": "status:disabled"})["data"]["giftCards"]["nodes"]

    assert [c["note"] for c in listed] == ["a", "b"]
    assert [c["lastCharacters"] for c in enabled] == ["ard1", "card"]
    assert disabled == []


def test_bulk_giftCardCreate_and_giftCardUpdate_lines(shop_client: BulkClient) -> None:
    lines = run_bulk(shop_client, CREATE, {"input": {"initialValue": "20", "code": "BULKCARD01"}},
                     {"input": {"initialValue": "20", "code": "BULKCARD01"}})
    card_id = lines[0]["data"]["giftCardCreate"]["giftCard"]["id"]
    assert lines[1]["data"]["giftCardCreate"]["userErrors"][0]["code"] == "TAKEN"

    updates = run_bulk(shop_client, UPDATE, {"id": card_id, "input": {"note": "bulk note"}})

    assert updates[0]["data"]["giftCardUpdate"]["giftCard"]["note"] == "bulk note"
    assert [c["note"] for c in shop_client.graphql(LIST, {})["data"]["giftCards"]["nodes"]] == ["bulk note"]
