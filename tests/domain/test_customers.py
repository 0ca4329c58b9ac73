"""customerCreate / customerUpdate and the customer(s) queries, over HTTP and as bulk lines."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

CUSTOMER_FIELDS = """
  id email phone firstName lastName tags note locale taxExempt
  emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
  smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt consentCollectedFrom }
  addresses { address1 city countryCodeV2 country zip }
  defaultAddress { formatted(withName: true) }
"""
CREATE = f"""mutation create($input: CustomerInput!) {{
  customerCreate(input: $input) {{ customer {{ {CUSTOMER_FIELDS} }} userErrors {{ field message }} }}
}}"""
UPDATE = f"""mutation update($input: CustomerInput!) {{
  customerUpdate(input: $input) {{ customer {{ {CUSTOMER_FIELDS} }} userErrors {{ field message }} }}
}}"""
READ = f"query read($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_FIELDS} }} }}"
LIST = """query list($query: String, $sortKey: CustomerSortKeys, $reverse: Boolean, $after: String, $first: Int) {
  customers(first: $first, query: $query, sortKey: $sortKey, reverse: $reverse, after: $after) {
    nodes { email } pageInfo { hasNextPage endCursor }
  }
}"""
SUBSCRIBED_ANNA = {
    "email": "Anna@Example.com", "phone": "+16135550101", "firstName": "Anna", "lastName": "Lee",
    "tags": ["vip", " wholesale ", "vip"], "note": "first order by phone",
    "emailMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "CONFIRMED_OPT_IN",
                              "consentUpdatedAt": "2025-03-01T10:00:00Z"},
    "smsMarketingConsent": {"marketingState": "SUBSCRIBED"},
    "addresses": [{"address1": "1 Main St", "city": "Ottawa", "countryCode": "CA", "zip": "K1A 0B1",
                   "firstName": "Anna", "lastName": "Lee"}],
}


def create(client: BulkClient, fields: dict) -> dict:
    return client.graphql(CREATE, {"input": fields})["data"]["customerCreate"]


def test_a_created_customer_reads_back_with_consent_in_shopifys_shape(shop_client: BulkClient) -> None:
    created = create(shop_client, SUBSCRIBED_ANNA)

    assert created["userErrors"] == []
    customer = shop_client.graphql(READ, {"id": created["customer"]["id"]})["data"]["customer"]
    assert customer["email"] == "anna@example.com"
    assert customer["tags"] == ["vip", "wholesale"]
    assert customer["emailMarketingConsent"] == {"marketingState": "SUBSCRIBED",
                                                 "marketingOptInLevel": "CONFIRMED_OPT_IN",
                                                 "consentUpdatedAt": "2025-03-01T10:00:00Z"}
    assert customer["smsMarketingConsent"]["marketingState"] == "SUBSCRIBED"
    assert customer["smsMarketingConsent"]["marketingOptInLevel"] == "SINGLE_OPT_IN"
    assert customer["smsMarketingConsent"]["consentCollectedFrom"] == "OTHER"
    assert customer["smsMarketingConsent"]["consentUpdatedAt"].endswith("Z")
    assert customer["addresses"] == [{"address1": "1 Main St", "city": "Ottawa", "countryCodeV2": "CA",
                                      "country": "Canada", "zip": "K1A 0B1"}]
    assert customer["defaultAddress"]["formatted"] == ["Anna Lee", "1 Main St", "Ottawa K1A 0B1", "Canada"]


def test_a_customer_with_an_email_but_no_consent_reads_as_not_subscribed(shop_client: BulkClient) -> None:
    customer = create(shop_client, {"email": "quiet@example.com"})["customer"]

    assert customer["emailMarketingConsent"] == {"marketingState": "NOT_SUBSCRIBED",
                                                 "marketingOptInLevel": "SINGLE_OPT_IN", "consentUpdatedAt": None}
    assert customer["smsMarketingConsent"] is None


def test_email_and_phone_must_be_valid_and_unique_in_the_shop(shop_client: BulkClient) -> None:
    create(shop_client, {"email": "taken@example.com", "phone": "+14155550100"})

    invalid = create(shop_client, {"email": "not-an-email", "phone": "call me"})
    taken = create(shop_client, {"email": "TAKEN@example.com", "phone": "+1 (415) 555-0100"})

    assert invalid == {"customer": None, "userErrors": [{"field": ["email"], "message": "Email is invalid"},
                                                        {"field": ["phone"], "message": "Phone is invalid"}]}
    assert taken["userErrors"] == [{"field": ["email"], "message": "Email has already been taken"},
                                   {"field": ["phone"], "message": "Phone has already been taken"}]


def test_another_shop_may_use_the_same_email(server, shop_client: BulkClient) -> None:  # type: ignore[no-untyped-def]
    create(shop_client, {"email": "shared@example.com"})
    other = server.client(server.new_shop())
    try:
        assert create(other, {"email": "shared@example.com"})["userErrors"] == []
    finally:
        other.close()


def test_consent_needs_the_matching_contact_and_a_name_or_contact_is_required(shop_client: BulkClient) -> None:
    no_email = create(shop_client, {"firstName": "Bo", "emailMarketingConsent": {"marketingState": "SUBSCRIBED"}})
    nothing = create(shop_client, {"note": "who?"})

    assert no_email["userErrors"] == [{
        "field": ["emailMarketingConsent"],
        "message": "An email address is required to set the email marketing consent state."}]
    assert nothing["userErrors"] == [{"field": None,
                                      "message": "A name, phone number, or email address must be present"}]


def test_an_update_changes_given_fields_only_and_refuses_consent_changes(shop_client: BulkClient) -> None:
    customer_id = create(shop_client, SUBSCRIBED_ANNA)["customer"]["id"]

    updated = shop_client.graphql(UPDATE, {"input": {"id": customer_id, "lastName": "Park", "tags": ["gold"]}})
    consent = shop_client.graphql(UPDATE, {"input": {
        "id": customer_id, "emailMarketingConsent": {"marketingState": "UNSUBSCRIBED"}}})
    missing = shop_client.graphql(UPDATE, {"input": {"id": "gid://shopify/Customer/999999999", "note": "x"}})

    customer = updated["data"]["customerUpdate"]["customer"]
    assert (customer["firstName"], customer["lastName"], customer["tags"]) == ("Anna", "Park", ["gold"])
    assert customer["email"] == "anna@example.com"
    assert consent["data"]["customerUpdate"]["userErrors"] == [{
        "field": ["emailMarketingConsent"],
        "message": "To update emailMarketingConsent, please use the customerEmailMarketingConsentUpdate Mutation "
                   "instead."}]
    assert missing["data"]["customerUpdate"] == {"customer": None, "userErrors": [
        {"field": ["id"], "message": "Customer does not exist"}]}
    read = shop_client.graphql(READ, {"id": customer_id})["data"]["customer"]
    assert read["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"


def test_customers_filter_by_email_tag_and_dates_sort_and_page(shop_client: BulkClient) -> None:
    for i, tags in enumerate([["vip"], ["retail"], ["vip", "retail"]]):
        create(shop_client, {"email": f"c{i}@example.com", "lastName": f"Z{2 - i}", "tags": tags})

    def emails(**variables: object) -> list[str]:
        body = shop_client.graphql(LIST, {"first": 10, **variables})
        return [n["email"] for n in body["data"]["customers"]["nodes"]]

    assert emails(query="tag:vip") == ["c0@example.com", "c2@example.com"]
    assert emails(query="tag_not:vip") == ["c1@example.com"]
    assert emails(query="email:c1@example.com") == ["c1@example.com"]
    assert emails(query="created_at:>2000-01-01 tag:retail") == ["c1@example.com", "c2@example.com"]
    assert emails(query="created_at:<2000-01-01") == []
    assert emails(sortKey="NAME") == ["c2@example.com", "c1@example.com", "c0@example.com"]
    assert emails(reverse=True) == ["c2@example.com", "c1@example.com", "c0@example.com"]
    first_page = shop_client.graphql(LIST, {"first": 2})["data"]["customers"]
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert emails(after=first_page["pageInfo"]["endCursor"]) == ["c2@example.com"]


def test_bulk_customerCreate_and_customerUpdate_lines_persist_and_report_errors(shop_client: BulkClient) -> None:
    lines = run_bulk(shop_client, CREATE, {"input": {"email": "bulk1@example.com", "tags": ["bulk"]}},
                     {"input": {"email": "bulk1@example.com"}}, {"input": {"email": "bulk2@example.com"}})

    assert [line["data"]["customerCreate"]["userErrors"] for line in lines] == [
        [], [{"field": ["email"], "message": "Email has already been taken"}], []]
    first_id = lines[0]["data"]["customerCreate"]["customer"]["id"]
    updates = run_bulk(shop_client, UPDATE, {"input": {"id": first_id, "firstName": "Bulky"}})
    assert updates[0]["data"]["customerUpdate"]["userErrors"] == []
    read = shop_client.graphql(READ, {"id": first_id})["data"]["customer"]
    assert (read["firstName"], read["tags"]) == ("Bulky", ["bulk"])
