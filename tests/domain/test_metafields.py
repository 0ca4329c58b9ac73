"""metafieldsSet: owners, Shopify's type system, references, atomicity, the 25 cap, compareDigest, bulk lines."""

from __future__ import annotations

import orjson
import pytest

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

SET = """mutation set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key value type jsonValue compareDigest ownerType }
    userErrors { field message code elementIndex }
  }
}"""
PRODUCT_METAFIELD = """query read($id: ID!, $ns: String!, $key: String!) {
  product(id: $id) { metafield(namespace: $ns, key: $key) { value type jsonValue compareDigest
                                                           reference { ... on Product { id title } } } }
}"""
CUSTOMER_METAFIELDS = """query read($id: ID!) {
  customer(id: $id) { metafields(first: 10) { nodes { namespace key value type } } }
}"""


def make_product(client: BulkClient, title: str = "Board") -> str:
    body = client.graphql("mutation p($t: String!) { productCreate(product: {title: $t}) { product { id } } }",
                          {"t": title})
    return body["data"]["productCreate"]["product"]["id"]


def make_customer(client: BulkClient, email: str) -> str:
    body = client.graphql("mutation c($e: String!) { customerCreate(input: {email: $e}) { customer { id } } }",
                          {"e": email})
    return body["data"]["customerCreate"]["customer"]["id"]


def metafields_set(client: BulkClient, *items: dict) -> dict:
    return client.graphql(SET, {"metafields": list(items)})["data"]["metafieldsSet"]


def one(owner: str, value: str, kind: str, key: str = "spec", **extra: object) -> dict:
    return {"ownerId": owner, "namespace": "custom", "key": key, "value": value, "type": kind, **extra}


def test_metafields_are_set_on_products_and_customers_and_read_back(shop_client: BulkClient) -> None:
    product, customer = make_product(shop_client), make_customer(shop_client, "mf@example.com")

    payload = metafields_set(shop_client, one(product, "12", "number_integer", "length"),
                             one(customer, '{"size": "M"}', "json", "prefs"))

    assert payload["userErrors"] == []
    assert [(m["key"], m["jsonValue"], m["ownerType"]) for m in payload["metafields"]] == [
        ("length", 12, "PRODUCT"), ("prefs", {"size": "M"}, "CUSTOMER")]
    read = shop_client.graphql(PRODUCT_METAFIELD, {"id": product, "ns": "custom", "key": "length"})
    assert read["data"]["product"]["metafield"]["value"] == "12"
    nodes = shop_client.graphql(CUSTOMER_METAFIELDS, {"id": customer})["data"]["customer"]["metafields"]["nodes"]
    assert nodes == [{"namespace": "custom", "key": "prefs", "value": '{"size": "M"}', "type": "json"}]


def test_setting_the_same_key_again_updates_the_one_metafield(shop_client: BulkClient) -> None:
    product = make_product(shop_client)
    first = metafields_set(shop_client, one(product, "a", "single_line_text_field"))["metafields"][0]
    second = metafields_set(shop_client, one(product, "b", "single_line_text_field"))["metafields"][0]

    assert second["id"] == first["id"] and second["value"] == "b"
    assert second["compareDigest"] != first["compareDigest"]


VALID_VALUES = [
    ("single_line_text_field", "Hello"), ("multi_line_text_field", "two\nlines"), ("number_integer", "-42"),
    ("number_decimal", "3.14"), ("boolean", "true"), ("json", "[1, 2]"), ("date", "2025-02-28"),
    ("date_time", "2025-02-28T10:00:00Z"), ("url", "https://example.com/a"), ("color", "#ff00AA"),
    ("money", '{"amount": "5.99", "currency_code": "USD"}'), ("weight", '{"value": 2.5, "unit": "KILOGRAMS"}'),
    ("dimension", '{"value": 10, "unit": "CENTIMETERS"}'), ("volume", '{"value": 1, "unit": "LITERS"}'),
    ("rating", '{"value": "4.5", "scale_min": "1.0", "scale_max": "5.0"}'),
    ("list.single_line_text_field", '["a", "b"]'), ("list.number_integer", "[1, 2, 3]"),
    ("list.color", '["#000000"]'),
]


@pytest.mark.parametrize(("kind", "value"), VALID_VALUES)
def test_each_type_accepts_a_well_formed_value(shop_client: BulkClient, kind: str, value: str) -> None:
    product = make_product(shop_client)
    assert metafields_set(shop_client, one(product, value, kind))["userErrors"] == []


INVALID_VALUES = [
    ("single_line_text_field", "two\nlines", "Value must be a single line text string."),
    ("number_integer", "1.5", "Value must be an integer."),
    ("number_decimal", "abc", "Value must be a decimal."),
    ("boolean", "yes", "Value must be true or false."),
    ("json", "{nope", "Value must be valid JSON."),
    ("date", "2025-02-30", "Value must be in YYYY-MM-DD format."),
    ("date_time", "yesterday", "Value must be in YYYY-MM-DDTHH:MM:SS format."),
    ("url", "ftp://example.com",
     "Value must be a valid URL with one of the following schemes: http, https, mailto, sms, tel."),
    ("color", "red", "Value must be a hex color code (#RRGGBB)."),
    ("money", '{"amount": "5", "currency_code": "EUR"}', "Value currency code must be the shop's currency (USD)."),
    ("weight", '{"value": 2, "unit": "STONES"}', "Unit must be one of: GRAMS, KILOGRAMS, OUNCES, POUNDS."),
    ("rating", '{"value": "9", "scale_min": "1", "scale_max": "5"}', "Value must be between scale_min and scale_max."),
    ("list.number_integer", '{"a": 1}', "Value must be a JSON array."),
    ("list.number_integer", '[1, "x"]', "Value must be an integer."),
    ("product_reference", "gid://shopify/Customer/1", "Value must be a valid global ID for a Product."),
]


@pytest.mark.parametrize(("kind", "value", "message"), INVALID_VALUES)
def test_each_type_rejects_a_malformed_value_with_INVALID_VALUE(shop_client: BulkClient, kind: str, value: str,
                                                                message: str) -> None:
    product = make_product(shop_client)
    payload = metafields_set(shop_client, one(product, value, kind))
    assert payload == {"metafields": None, "userErrors": [
        {"field": ["metafields", "0", "value"], "message": message, "code": "INVALID_VALUE", "elementIndex": 0}]}


def test_references_must_exist_in_the_same_shop_and_resolve_when_read(server, shop_client: BulkClient) -> None:  # type: ignore[no-untyped-def]
    product, target = make_product(shop_client), make_product(shop_client, "Target")
    other = server.client(server.new_shop())
    try:
        foreign = make_product(other, "Elsewhere")
    finally:
        other.close()

    ok = metafields_set(shop_client, one(product, target, "product_reference", "related"))
    missing = metafields_set(shop_client, one(product, foreign, "product_reference", "related"))

    assert ok["userErrors"] == []
    assert missing["userErrors"][0]["message"] == f"Value references non-existent resource {foreign}."
    read = shop_client.graphql(PRODUCT_METAFIELD, {"id": product, "ns": "custom", "key": "related"})
    assert read["data"]["product"]["metafield"]["reference"] == {"id": target, "title": "Target"}


def test_owner_key_namespace_and_type_are_checked_with_shopifys_codes(shop_client: BulkClient) -> None:
    product = make_product(shop_client)
    payload = metafields_set(
        shop_client,
        one("gid://shopify/Product/999999999", "x", "single_line_text_field"),
        one(product, "x", "single_line_text_field", key="k"),
        {**one(product, "x", "single_line_text_field"), "namespace": "a b c"},
        one(product, "x", "not_a_type"),
        {"ownerId": product, "namespace": "custom", "key": "untyped", "value": "x"},
        one(product, "", "single_line_text_field"),
    )

    assert [(e["field"], e["code"], e["message"]) for e in payload["userErrors"]] == [
        (["metafields", "0", "ownerId"], "INVALID", "Owner does not exist."),
        (["metafields", "1", "key"], "TOO_SHORT", "Key is too short (minimum is 2 characters)"),
        (["metafields", "2", "namespace"], "INVALID", "Namespace contains one or more invalid characters."),
        (["metafields", "3", "type"], "INVALID_TYPE", "Type 'not_a_type' is not a valid metafield type."),
        (["metafields", "4", "type"], "BLANK", "Type can't be blank"),
        (["metafields", "5", "value"], "BLANK", "Value can't be blank"),
    ]
    assert [e["elementIndex"] for e in payload["userErrors"]] == [0, 1, 2, 3, 4, 5]


def test_one_bad_input_means_nothing_is_written(shop_client: BulkClient) -> None:
    product = make_product(shop_client)
    payload = metafields_set(shop_client, one(product, "fine", "single_line_text_field", "good"),
                             one(product, "bad", "number_integer", "bad"))

    assert payload["metafields"] is None
    read = shop_client.graphql(PRODUCT_METAFIELD, {"id": product, "ns": "custom", "key": "good"})
    assert read["data"]["product"]["metafield"] is None


def test_at_most_25_metafields_per_call(shop_client: BulkClient) -> None:
    product = make_product(shop_client)
    payload = metafields_set(shop_client, *(one(product, "x", "single_line_text_field", f"k{i}") for i in range(26)))

    assert payload == {"metafields": None, "userErrors": [{
        "field": ["metafields"], "message": "Exceeded the maximum metafields input limit of 25.",
        "code": "LESS_THAN_OR_EQUAL_TO", "elementIndex": None}]}


def test_compareDigest_writes_only_over_the_value_it_was_read_from(shop_client: BulkClient) -> None:
    product = make_product(shop_client)
    created = metafields_set(shop_client, one(product, "v1", "single_line_text_field", compareDigest=None))
    digest = created["metafields"][0]["compareDigest"]

    again_as_new = metafields_set(shop_client, one(product, "v2", "single_line_text_field", compareDigest=None))
    fresh = metafields_set(shop_client, one(product, "v2", "single_line_text_field", compareDigest=digest))
    stale = metafields_set(shop_client, one(product, "v3", "single_line_text_field", compareDigest=digest))
    garbage = metafields_set(shop_client, one(product, "v3", "single_line_text_field", compareDigest="nope"))

    assert created["userErrors"] == [] and fresh["userErrors"] == []
    stale_error = {"field": ["metafields", "0", "compareDigest"], "code": "STALE_OBJECT", "elementIndex": 0,
                   "message": "The resource has been updated since it was loaded. Try again with an updated "
                              "`compareDigest` value."}
    assert again_as_new["userErrors"] == [stale_error]
    assert stale["userErrors"] == [stale_error]
    assert garbage["userErrors"][0]["code"] == "INVALID_COMPARE_DIGEST"
    read = shop_client.graphql(PRODUCT_METAFIELD, {"id": product, "ns": "custom", "key": "spec"})
    assert read["data"]["product"]["metafield"]["value"] == "v2"


def test_shop_owned_metafields_are_accepted_only_for_the_callers_shop(shop_client: BulkClient) -> None:
    shop_id = shop_client.graphql("{ shop { id } }")["data"]["shop"]["id"]
    assert metafields_set(shop_client, one(shop_id, "open", "single_line_text_field"))["userErrors"] == []
    other = metafields_set(shop_client, one("gid://shopify/Shop/999999", "x", "single_line_text_field"))
    assert other["userErrors"][0]["message"] == "Owner does not exist."


def test_bulk_metafieldsSet_lines_are_atomic_each(shop_client: BulkClient) -> None:
    product = make_product(shop_client)
    lines = run_bulk(shop_client, SET,
                     {"metafields": [one(product, "7", "number_integer", "k_a"),
                                     one(product, "8", "number_integer", "k_b")]},
                     {"metafields": [one(product, "9", "number_integer", "k_c"),
                                     one(product, "x", "number_integer", "k_d")]})

    assert [m["value"] for m in lines[0]["data"]["metafieldsSet"]["metafields"]] == ["7", "8"]
    assert lines[1]["data"]["metafieldsSet"]["metafields"] is None
    assert lines[1]["data"]["metafieldsSet"]["userErrors"][0]["field"] == ["metafields", "1", "value"]
    for key, expected in (("k_b", "8"), ("k_c", None)):
        read = shop_client.graphql(PRODUCT_METAFIELD, {"id": product, "ns": "custom", "key": key})
        metafield = read["data"]["product"]["metafield"]
        assert (metafield and metafield["value"]) == expected, orjson.dumps(read)


def test_collections_own_metafields_and_can_be_referenced(shop_client: BulkClient) -> None:
    body = shop_client.graphql('mutation { collectionCreate(input: {title: "Summer"}) { collection { id } } }')
    collection = body["data"]["collectionCreate"]["collection"]["id"]
    product = make_product(shop_client)

    payload = metafields_set(shop_client, one(collection, "2", "number_integer", "rank"),
                             one(product, collection, "collection_reference", "home"))

    assert payload["userErrors"] == []
    assert payload["metafields"][0]["ownerType"] == "COLLECTION"
    read = shop_client.graphql('query c($id: ID!) { collection(id: $id) { metafield(namespace: "custom", '
                               'key: "rank") { value } } }', {"id": collection})
    assert read["data"]["collection"]["metafield"] == {"value": "2"}
