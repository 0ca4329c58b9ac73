"""priceListFixedPricesAdd / priceListFixedPricesDelete on the shop's seeded price list."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

LISTS = "{ priceLists(first: 5) { nodes { id name currency fixedPricesCount } } }"
ADD = """mutation add($list: ID!, $prices: [PriceListPriceInput!]!) {
  priceListFixedPricesAdd(priceListId: $list, prices: $prices) {
    prices { price { amount currencyCode } compareAtPrice { amount } originType variant { id } }
    userErrors { field message code }
  }
}"""
DELETE = """mutation del($list: ID!, $ids: [ID!]!) {
  priceListFixedPricesDelete(priceListId: $list, variantIds: $ids) {
    deletedFixedPriceVariantIds userErrors { field message code }
  }
}"""
PRICES = """query prices($id: ID!) { priceList(id: $id) { fixedPricesCount
  prices(first: 10) { nodes { price { amount } variant { id } } } } }"""


def price_list(client: BulkClient) -> dict:
    return client.graphql(LISTS)["data"]["priceLists"]["nodes"][0]


def variant(client: BulkClient, title: str) -> str:
    body = client.graphql("mutation p($t: String!) { productCreate(product: {title: $t}) "
                          "{ product { variants(first: 1) { nodes { id } } } } }", {"t": title})
    return body["data"]["productCreate"]["product"]["variants"]["nodes"][0]["id"]


def usd(amount: str) -> dict:
    return {"amount": amount, "currencyCode": "USD"}


def test_each_shop_has_one_price_list_in_its_currency(shop_client: BulkClient) -> None:
    lists = shop_client.graphql(LISTS)["data"]["priceLists"]["nodes"]
    assert len(lists) == 1
    assert (lists[0]["currency"], lists[0]["fixedPricesCount"]) == ("USD", 0)
    assert shop_client.graphql(LISTS)["data"]["priceLists"]["nodes"] == lists


def test_fixed_prices_are_added_replaced_and_read_back(shop_client: BulkClient) -> None:
    list_id, a, b = price_list(shop_client)["id"], variant(shop_client, "A"), variant(shop_client, "B")

    added = shop_client.graphql(ADD, {"list": list_id, "prices": [
        {"variantId": a, "price": usd("10.00"), "compareAtPrice": usd("12")}, {"variantId": b, "price": usd("5")}]})
    replaced = shop_client.graphql(ADD, {"list": list_id, "prices": [{"variantId": a, "price": usd("9.5")}]})

    payload = added["data"]["priceListFixedPricesAdd"]
    assert payload["userErrors"] == []
    assert payload["prices"][0] == {"price": {"amount": "10.0", "currencyCode": "USD"}, "compareAtPrice":
                                    {"amount": "12.0"}, "originType": "FIXED", "variant": {"id": a}}
    assert replaced["data"]["priceListFixedPricesAdd"]["userErrors"] == []
    read = shop_client.graphql(PRICES, {"id": list_id})["data"]["priceList"]
    assert read["fixedPricesCount"] == 2
    assert [(p["variant"]["id"], p["price"]["amount"]) for p in read["prices"]["nodes"]] == [(a, "9.5"), (b, "5.0")]


def test_add_checks_list_variant_and_currency_and_writes_nothing_on_error(shop_client: BulkClient) -> None:
    list_id, a = price_list(shop_client)["id"], variant(shop_client, "A")

    missing_list = shop_client.graphql(ADD, {"list": "gid://shopify/PriceList/999999999",
                                             "prices": [{"variantId": a, "price": usd("1")}]})
    bad = shop_client.graphql(ADD, {"list": list_id, "prices": [
        {"variantId": a, "price": usd("1")},
        {"variantId": "gid://shopify/ProductVariant/999999999", "price": usd("1")},
        {"variantId": a, "price": {"amount": "1", "currencyCode": "EUR"}}]})

    assert missing_list["data"]["priceListFixedPricesAdd"]["userErrors"] == [
        {"field": ["priceListId"], "message": "Price list does not exist.", "code": "PRICE_LIST_NOT_FOUND"}]
    assert [(e["field"], e["code"]) for e in bad["data"]["priceListFixedPricesAdd"]["userErrors"]] == [
        (["prices", "1", "variantId"], "VARIANT_NOT_FOUND"),
        (["prices", "2", "price", "currencyCode"], "PRICE_LIST_CURRENCY_MISMATCH")]
    assert shop_client.graphql(PRICES, {"id": list_id})["data"]["priceList"]["fixedPricesCount"] == 0


def test_deleting_fixed_prices_requires_each_to_exist(shop_client: BulkClient) -> None:
    list_id, a, b = price_list(shop_client)["id"], variant(shop_client, "A"), variant(shop_client, "B")
    shop_client.graphql(ADD, {"list": list_id, "prices": [{"variantId": a, "price": usd("1")}]})

    refused = shop_client.graphql(DELETE, {"list": list_id, "ids": [a, b]})["data"]["priceListFixedPricesDelete"]
    deleted = shop_client.graphql(DELETE, {"list": list_id, "ids": [a]})["data"]["priceListFixedPricesDelete"]

    assert refused == {"deletedFixedPriceVariantIds": None, "userErrors": [{
        "field": ["variantIds", "1"], "message": "A fixed price for the specified product variant doesn't exist.",
        "code": "VARIANT_NOT_FOUND"}]}
    assert deleted == {"deletedFixedPriceVariantIds": [a], "userErrors": []}
    assert shop_client.graphql(PRICES, {"id": list_id})["data"]["priceList"]["fixedPricesCount"] == 0


def test_another_shops_price_list_does_not_exist_for_this_shop(server, shop_client: BulkClient) -> None:  # type: ignore[no-untyped-def]
    other = server.client(server.new_shop())
    try:
        foreign = price_list(other)["id"]
    finally:
        other.close()
    a = variant(shop_client, "A")
    body = shop_client.graphql(ADD, {"list": foreign, "prices": [{"variantId": a, "price": usd("1")}]})
    assert body["data"]["priceListFixedPricesAdd"]["userErrors"][0]["code"] == "PRICE_LIST_NOT_FOUND"


def test_bulk_fixed_price_lines_add_then_delete(shop_client: BulkClient) -> None:
    list_id, a, b = price_list(shop_client)["id"], variant(shop_client, "A"), variant(shop_client, "B")

    added = run_bulk(shop_client, ADD, {"list": list_id, "prices": [{"variantId": a, "price": usd("3")}]},
                     {"list": list_id, "prices": [{"variantId": b, "price": usd("4")}]})
    deleted = run_bulk(shop_client, DELETE, {"list": list_id, "ids": [b]})

    assert [line["data"]["priceListFixedPricesAdd"]["userErrors"] for line in added] == [[], []]
    assert deleted[0]["data"]["priceListFixedPricesDelete"]["deletedFixedPriceVariantIds"] == [b]
    read = shop_client.graphql(PRICES, {"id": list_id})["data"]["priceList"]
    assert [p["variant"]["id"] for p in read["prices"]["nodes"]] == [a]
