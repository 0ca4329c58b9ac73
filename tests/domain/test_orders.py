"""orderCreate (over HTTP and as bulk lines), order(id), orders, node(id), and orders exported with their line
items and shipping lines: in-process, on loopback."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bulkops.client import BulkClient
from bulkops.domain.shops.seed import seed_shop
from bulkops.testing import InProcessServer
from tests.domain.shop_data_bulk import run_bulk
from tests.engine.test_export_format import export, lines_of

ORDER_FIELDS = """id name number email displayFinancialStatus displayFulfillmentStatus subtotalLineItemsQuantity
  totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
  subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
  totalShippingPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } }
  totalReceivedSet { shopMoney { amount } } totalOutstandingSet { shopMoney { amount } }
  customer { id email firstName } tags note discountCodes
  lineItems(first: 5) { nodes { name quantity sku unfulfilledQuantity variant { id } product { id }
    originalUnitPriceSet { shopMoney { amount } } originalTotalSet { shopMoney { amount } }
    taxLines { title rate priceSet { shopMoney { amount } } } } }
  shippingLine { title originalPriceSet { shopMoney { amount } } }
  transactions { kind status gateway amountSet { shopMoney { amount } } }
  fulfillments { name status trackingInfo { company number } }"""
CREATE = f"""mutation create($order: OrderCreateOrderInput!) {{
  orderCreate(order: $order) {{ order {{ {ORDER_FIELDS} }} userErrors {{ field message code }} }} }}"""
ERRORS_ONLY = """mutation create($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) { order { id } userErrors { field message code } } }"""
LIST = """query list($query: String, $sortKey: OrderSortKeys, $reverse: Boolean) {
  orders(first: 10, query: $query, sortKey: $sortKey, reverse: $reverse) { nodes { name } } }"""


def usd(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def item(title: str = "Gift wrap", quantity: int = 1, price: str = "5.00", **more: Any) -> dict[str, Any]:
    return {"title": title, "quantity": quantity, "priceSet": usd(price), **more}


@pytest.fixture(scope="module")
def shop(clocked_server: InProcessServer) -> BulkClient:
    """A shop with one product (its default variant at 10.00, SKU BOARD-1) and one customer."""
    client = clocked_server.client(clocked_server.new_shop("orders"))
    client.graphql("""mutation { productCreate(product: {title: "Board", productOptions: []}) { product { id } } }""")
    client.graphql("""mutation { customerCreate(input: {email: "known@example.com", firstName: "Kim"}) {
      customer { id } } }""")
    variant = first_variant(client)
    client.graphql("""mutation u($v: [ProductVariantsBulkInput!]!, $p: ID!) {
      productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }""",
                   {"p": variant["product"]["id"], "v": [{"id": variant["id"], "price": "10.00",
                                                         "inventoryItem": {"sku": "BOARD-1"}}]})
    return client


def first_variant(client: BulkClient) -> dict[str, Any]:
    body = client.graphql("{ productVariants(first: 1) { nodes { id product { id } } } }")
    return body["data"]["productVariants"]["nodes"][0]


def known_customer(client: BulkClient) -> str:
    body = client.graphql('{ customers(first: 1, query: "email:known@example.com") { nodes { id } } }')
    return body["data"]["customers"]["nodes"][0]["id"]


def create(client: BulkClient, order: dict[str, Any], document: str = CREATE) -> dict[str, Any]:
    return client.graphql(document, {"order": order})["data"]["orderCreate"]


def order_count(client: BulkClient) -> int:
    return len(client.graphql("{ orders(first: 250) { nodes { id } } }")["data"]["orders"]["nodes"])


def test_an_order_reads_back_with_its_totals_payment_fulfillment_and_new_customer(shop: BulkClient) -> None:
    variant = first_variant(shop)
    created = create(shop, {
        "email": "Ann@Example.com", "tags": ["web", " web "], "note": "leave at door",
        "lineItems": [{"variantId": variant["id"], "quantity": 2, "taxLines": [{"title": "VAT", "rate": 0.2}]},
                      item("Gift wrap", 1, "5.00")],
        "shippingLines": [{"title": "Standard", "priceSet": usd("4.50")}],
        "transactions": [{"kind": "SALE", "gateway": "manual", "amountSet": usd("33.50")}],
        "customer": {"toUpsert": {"email": "ann@example.com", "firstName": "Ann"}},
        "fulfillment": {"locationId": location_of(shop), "trackingNumber": "1Z999",
                        "trackingCompany": "UPS"},
    })

    assert created["userErrors"] == []
    order = created["order"]
    assert re.fullmatch(r"#\d+", order["name"]) and order["name"] == f"#{order['number']}"
    assert (order["email"], order["tags"], order["note"]) == ("ann@example.com", ["web"], "leave at door")
    assert (order["displayFinancialStatus"], order["displayFulfillmentStatus"]) == ("PAID", "FULFILLED")
    assert order["totalPriceSet"] == {"shopMoney": {"amount": "33.5", "currencyCode": "USD"},
                                      "presentmentMoney": {"amount": "33.5", "currencyCode": "USD"}}
    assert [order[k]["shopMoney"]["amount"] for k in ("subtotalPriceSet", "totalTaxSet", "totalShippingPriceSet",
                                                      "totalReceivedSet", "totalOutstandingSet")] == [
        "25.0", "4.0", "4.5", "33.5", "0.0"]
    board, wrap = order["lineItems"]["nodes"]
    assert (board["name"], board["quantity"], board["sku"], board["unfulfilledQuantity"]) == ("Board", 2, "BOARD-1", 0)
    assert board["variant"] == {"id": variant["id"]} and board["product"] == variant["product"]
    assert board["originalUnitPriceSet"]["shopMoney"]["amount"] == "10.0"
    assert board["originalTotalSet"]["shopMoney"]["amount"] == "20.0"
    assert board["taxLines"] == [{"title": "VAT", "rate": 0.2, "priceSet": {"shopMoney": {"amount": "4.0"}}}]
    assert (wrap["name"], wrap["variant"], wrap["product"]) == ("Gift wrap", None, None)
    assert order["shippingLine"] == {"title": "Standard", "originalPriceSet": {"shopMoney": {"amount": "4.5"}}}
    assert order["transactions"] == [{"kind": "SALE", "status": "SUCCESS", "gateway": "manual",
                                      "amountSet": {"shopMoney": {"amount": "33.5"}}}]
    assert order["fulfillments"] == [{"name": f"{order['name']}.1", "status": "SUCCESS",
                                      "trackingInfo": [{"company": "UPS", "number": "1Z999"}]}]
    assert order["customer"]["email"] == "ann@example.com" and order["customer"]["firstName"] == "Ann"
    read = shop.graphql(f'query {{ order(id: "{order["id"]}") {{ {ORDER_FIELDS} }} }}')["data"]["order"]
    node = shop.graphql(f'{{ node(id: "{order["id"]}") {{ ... on Order {{ name }} }} }}')["data"]["node"]
    assert read == order and node == {"name": order["name"]}


def test_orders_are_numbered_in_turn_and_a_given_name_is_kept(shop: BulkClient) -> None:
    first = create(shop, {"lineItems": [item()]})["order"]
    named = create(shop, {"lineItems": [item()], "name": "IMPORT-77"})["order"]

    assert named["number"] == first["number"] + 1 and named["name"] == "IMPORT-77"


def test_a_customer_is_associated_by_id_or_email_and_an_upsert_updates_the_one_with_that_email(
        shop: BulkClient) -> None:
    customer_id = known_customer(shop)

    by_id = create(shop, {"lineItems": [item()], "customer": {"toAssociate": {"id": customer_id}}})["order"]
    by_email = create(shop, {"lineItems": [item()],
                             "customer": {"toAssociate": {"email": "KNOWN@example.com"}}})["order"]
    deprecated = create(shop, {"lineItems": [item()], "customerId": customer_id})["order"]
    upserted = create(shop, {"lineItems": [item()], "customer": {"toUpsert": {"email": "known@example.com",
                                                                              "lastName": "Lee"}}})["order"]

    assert {o["customer"]["id"] for o in (by_id, by_email, deprecated, upserted)} == {customer_id}
    assert by_id["email"] == "known@example.com"
    customer = shop.graphql(f'{{ customer(id: "{customer_id}") {{ firstName lastName }} }}')["data"]["customer"]
    assert customer == {"firstName": "Kim", "lastName": "Lee"}


def test_statuses_follow_the_transactions_unless_given(shop: BulkClient) -> None:
    part = create(shop, {"lineItems": [item(price="10")], "transactions": [{"amountSet": usd("4")}]})["order"]
    authorized = create(shop, {"lineItems": [item(price="10")],
                               "transactions": [{"kind": "AUTHORIZATION", "amountSet": usd("10")}]})["order"]
    unpaid = create(shop, {"lineItems": [item(price="10")]})["order"]
    given = create(shop, {"lineItems": [item()], "financialStatus": "REFUNDED", "fulfillmentStatus": "PARTIAL"})

    assert [o["displayFinancialStatus"] for o in (part, authorized, unpaid)] == [
        "PARTIALLY_PAID", "AUTHORIZED", "PENDING"]
    assert part["totalOutstandingSet"]["shopMoney"]["amount"] == "6.0"
    assert (given["order"]["displayFinancialStatus"], given["order"]["displayFulfillmentStatus"]) == (
        "REFUNDED", "PARTIALLY_FULFILLED")


def test_a_discount_code_comes_off_the_subtotal(shop: BulkClient) -> None:
    fixed = create(shop, {"lineItems": [item(price="20")], "discountCode": {
        "itemFixedDiscountCode": {"code": "TAKE5", "amountSet": usd("5")}}})["order"]
    percent = create(shop, {"lineItems": [item(price="20")], "discountCode": {
        "itemPercentageDiscountCode": {"code": "QUARTER", "percentage": 25}}})["order"]
    free = create(shop, {"lineItems": [item(price="20")], "shippingLines": [{"title": "Post", "priceSet": usd("3")}],
                         "discountCode": {"freeShippingDiscountCode": {"code": "SHIPFREE"}}})["order"]

    applied = shop.graphql(f'''{{ order(id: "{percent['id']}") {{ discountApplications(first: 5) {{ nodes {{
      targetType ... on DiscountCodeApplication {{ code }} value {{ ... on PricingPercentageValue {{ percentage }} }}
    }} }} }} }}''')["data"]["order"]["discountApplications"]["nodes"]

    assert applied == [{"targetType": "LINE_ITEM", "code": "QUARTER", "value": {"percentage": 25.0}}]
    assert [(o["discountCodes"], o["totalDiscountsSet"]["shopMoney"]["amount"], o["totalPriceSet"]["shopMoney"]["amount"])
            for o in (fixed, percent, free)] == [(["TAKE5"], "5.0", "15.0"), (["QUARTER"], "5.0", "15.0"),
                                                 (["SHIPFREE"], "3.0", "20.0")]


def _error(path: list[str], message: str, code: str = "INVALID") -> dict[str, Any]:
    return {"field": ["order", *path], "message": message, "code": code}


CHECKS = {
    "both customer fields": ({"customerId": "gid://shopify/Customer/1",
                              "customer": {"toAssociate": {"id": "gid://shopify/Customer/1"}}},
                             [_error(["customer"], "Cannot specify both customer and customerId",
                                     "REDUNDANT_CUSTOMER_FIELDS")]),
    "processed in the future": ({"processedAt": "2999-01-01T00:00:00Z"},
                                [_error(["processedAt"], "Processed at must not be in the future",
                                        "PROCESSED_AT_INVALID")]),
    "a third-party fulfillment service": (
        {"lineItems": [item(fulfillmentService="acme-warehouse")]},
        [_error(["lineItems", "0", "fulfillmentService"], "Fulfillment service is invalid",
                "FULFILLMENT_SERVICE_INVALID")]),
    "a tax line without a rate": (
        {"lineItems": [item(taxLines=[{"title": "VAT", "rate": ""}])]},
        [_error(["lineItems", "0", "taxLines", "0", "rate"], "Tax line rate is missing", "TAX_LINE_RATE_MISSING")]),
    "no line items": ({"lineItems": []}, [_error(["lineItems"], "Line items must have at least one line item")]),
    "a zero quantity": ({"lineItems": [item(quantity=0)]},
                        [_error(["lineItems", "0", "quantity"], "Quantity must be greater than or equal to 1")]),
    "an unknown variant": ({"lineItems": [{"quantity": 1, "variantId": "gid://shopify/ProductVariant/987654"}]},
                           [_error(["lineItems", "0", "variantId"], "Variant does not exist")]),
    "an unknown product": ({"lineItems": [item(productId="gid://shopify/Product/987654")]},
                           [_error(["lineItems", "0", "productId"], "Product does not exist")]),
    "a custom item without a title": ({"lineItems": [{"quantity": 1, "priceSet": usd("1")}]},
                                      [_error(["lineItems", "0", "title"], "Title can't be blank")]),
    "a negative price": ({"lineItems": [item(price="-1")]},
                         [_error(["lineItems", "0", "priceSet"], "Price must be greater than or equal to 0")]),
    "a negative shipping price": ({"shippingLines": [{"title": "Post", "priceSet": usd("-3")}]},
                                  [_error(["shippingLines", "0", "priceSet"], "Price can't be negative")]),
    "a negative payment": ({"transactions": [{"amountSet": usd("-3")}]},
                           [_error(["transactions", "0", "amountSet"], "Amount must be greater than or equal to 0")]),
    "an invalid email": ({"email": "not-an-email"}, [_error(["email"], "Email is invalid")]),
    "taxes on the order and its items": (
        {"taxLines": [{"title": "VAT", "rate": 0.1}], "lineItems": [item(taxLines=[{"title": "VAT", "rate": 0.1}])]},
        [_error(["taxLines"], "Tax lines can be specified on the order or the line items but not both")]),
    "two kinds of discount": (
        {"discountCode": {"freeShippingDiscountCode": {"code": "A"}, "itemPercentageDiscountCode": {"code": "B"}}},
        [_error(["discountCode"], "Only one discount code type can be applied to an order")]),
    "an unknown customer": ({"customer": {"toAssociate": {"id": "gid://shopify/Customer/987654"}}},
                            [_error(["customer", "toAssociate", "id"], "Customer does not exist")]),
    "an unknown location to fulfill from": ({"fulfillment": {"locationId": "gid://shopify/Location/987654"}},
                                            [_error(["fulfillment", "locationId"], "Location does not exist")]),
    "an upserted customer with a bad email": ({"customer": {"toUpsert": {"email": "nope"}}},
                                              [_error(["customer", "toUpsert", "email"], "Email is invalid")]),
}
"""Each check alone: the input (with one good line item unless it says otherwise) and its userErrors."""


@pytest.mark.parametrize("case", CHECKS.values(), ids=CHECKS.keys())
def test_each_check_answers_its_code_and_path_and_writes_nothing(
        shop: BulkClient, case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    order, errors = case
    before = order_count(shop)

    answer = create(shop, {"lineItems": [item()], **order}, ERRORS_ONLY)

    assert answer == {"order": None, "userErrors": errors}
    assert order_count(shop) == before


def test_orders_filter_sort_and_stay_in_their_shop(clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop("order-search"))
    other = clocked_server.client(clocked_server.new_shop("order-search-other"))
    create(client, {"lineItems": [item(price="30", sku="MUG-1")], "email": "a@example.com", "tags": ["vip"],
                    "transactions": [{"amountSet": usd("30"), "gateway": "manual"}], "name": "A-1"})
    create(client, {"lineItems": [item(price="10")], "email": "b@example.com", "name": "B-2",
                    "fulfillment": {"locationId": location_of(client)}})
    hidden = create(other, {"lineItems": [item()], "name": "A-1"})["order"]

    def names(**variables: Any) -> list[str]:
        return [n["name"] for n in client.graphql(LIST, variables)["data"]["orders"]["nodes"]]

    assert names() == ["A-1", "B-2"]
    assert names(query="financial_status:paid") == ["A-1"]
    assert names(query="fulfillment_status:shipped") == ["B-2"]
    assert names(query="fulfillment_status:unshipped") == ["A-1"]
    assert names(query="email:b@example.com") == ["B-2"]
    assert names(query="tag:vip") == ["A-1"] and names(query="tag_not:vip") == ["B-2"]
    assert names(query="sku:MUG-1") == ["A-1"]
    assert names(query="name:A-1") == ["A-1"]
    assert names(query="created_at:<2000-01-01") == []
    assert names(query="updated_at:>='2000-01-01T00:00:00+00:00' AND current_total_price:>20") == ["A-1"]
    assert names(query="gateway:manual") == ["A-1"] and names(query="status:open") == ["A-1", "B-2"]
    count = client.graphql('{ all: ordersCount { count precision } paid: ordersCount(query: "financial_status:paid") '
                           '{ count } capped: ordersCount(limit: 1) { count precision } }')["data"]
    assert count == {"all": {"count": 2, "precision": "EXACT"}, "paid": {"count": 1},
                     "capped": {"count": 1, "precision": "AT_LEAST"}}
    assert names(sortKey="TOTAL_PRICE") == ["B-2", "A-1"]
    assert names(sortKey="ORDER_NUMBER", reverse=True) == ["B-2", "A-1"]
    assert client.graphql(f'{{ order(id: "{hidden["id"]}") {{ id }} }}')["data"]["order"] is None
    stranger = create(other, {"lineItems": [item()],
                              "customer": {"toAssociate": {"id": known_customer_of(client)}}}, ERRORS_ONLY)
    assert stranger["userErrors"][0]["message"] == "Customer does not exist"


def location_of(client: BulkClient) -> str:
    return client.graphql("{ locations(first: 1) { nodes { id } } }")["data"]["locations"]["nodes"][0]["id"]


def known_customer_of(client: BulkClient) -> str:
    created = client.graphql("""mutation { customerCreate(input: {email: "mine@example.com"}) {
      customer { id } } }""")
    return created["data"]["customerCreate"]["customer"]["id"]


def test_bulk_orderCreate_lines_write_orders_and_report_errors(clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop("order-bulk"))

    lines = run_bulk(client, ERRORS_ONLY, {"order": {"lineItems": [item()], "name": "first"}},
                     {"order": {"lineItems": [item(quantity=0)]}},
                     {"order": {"lineItems": [item()], "customer": {"toUpsert": {"email": "new@example.com"}}}})

    assert [line["data"]["orderCreate"]["userErrors"] for line in lines] == [
        [], [_error(["lineItems", "0", "quantity"], "Quantity must be greater than or equal to 1")], []]
    body = client.graphql('{ orders(first: 5, sortKey: ORDER_NUMBER) { nodes { name customer { email } } } }')
    assert body["data"]["orders"]["nodes"] == [{"name": "first", "customer": None},
                                               {"name": "#1002", "customer": {"email": "new@example.com"}}]


EXPORT = """{ orders { edges { node { id name number email phone note tags poNumber sourceName sourceIdentifier
  processedAt createdAt updatedAt closedAt displayFinancialStatus displayFulfillmentStatus currencyCode
  presentmentCurrencyCode discountCode discountCodes customAttributes { key value } test taxesIncluded
  totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
  subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } totalWeight
  totalShippingPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } }
  totalReceivedSet { shopMoney { amount } } taxLines { title rate priceSet { shopMoney { amount } } }
  billingAddress { address1 city countryCodeV2 } shippingAddress { address1 city zip } customer { id }
  paymentGatewayNames subtotalLineItemsQuantity requiresShipping fullyPaid
  shippingLine { title code source } transactions { id kind status gateway authorizationCode processedAt
    amountSet { shopMoney { amount } } }
  fulfillments { id name status trackingInfo { company number } }
  lineItems { edges { node { id name title variantTitle sku vendor quantity requiresShipping taxable
    originalUnitPriceSet { shopMoney { amount } } discountedTotalSet { shopMoney { amount } }
    customAttributes { key value } taxLines { title rate } variant { id } product { id } } } }
  shippingLines { edges { node { id title code source originalPriceSet { shopMoney { amount } } } } }
  discountApplications { edges { node { __typename targetType allocationMethod
    ... on DiscountCodeApplication { code } value { ... on MoneyV2 { amount currencyCode } } } } }
} } } }"""
FULL_ADDRESS = {"address1": "1 Main St", "city": "Ottawa", "countryCode": "CA", "zip": "K1A 0B1",
                "firstName": "Ann", "lastName": "Lee"}


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


def test_an_export_of_orders_has_every_seeded_field_and_children_naming_their_order(
        clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop("order-export"))
    client.graphql('mutation { productCreate(product: {title: "Lamp", vendor: "Acme", productOptions: [{name: '
                   '"Color", values: [{name: "Red"}]}]}) { product { id } } }')
    variant = first_variant(client)
    client.graphql("""mutation u($v: [ProductVariantsBulkInput!]!, $p: ID!) {
      productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }""",
                   {"p": variant["product"]["id"], "v": [{"id": variant["id"], "inventoryItem": {"sku": "LAMP-R"}}]})
    created = create(client, {
        "email": "ann@example.com", "phone": "+16135550101", "note": "gift", "tags": ["gift"], "poNumber": "PO-9",
        "sourceName": "web", "sourceIdentifier": "ext-1", "processedAt": "2025-01-02T03:04:05Z",
        "closedAt": "2025-01-03T00:00:00Z", "customAttributes": [{"key": "wrap", "value": "yes"}],
        "billingAddress": FULL_ADDRESS, "shippingAddress": FULL_ADDRESS,
        "lineItems": [{"variantId": variant["id"], "quantity": 2, "priceSet": usd("12.50"), "requiresShipping": True,
                       "properties": [{"name": "engraving", "value": "A"}], "weight": {"value": 1, "unit": "KILOGRAMS"},
                       "taxLines": [{"title": "GST", "rate": 0.05}]}],
        "shippingLines": [{"title": "Express", "code": "EXP", "source": "bulkops", "priceSet": usd("7")}],
        "transactions": [{"gateway": "manual", "authorizationCode": "AUTH-1", "amountSet": usd("33.25"),
                          "processedAt": "2025-01-02T03:04:05Z"}],
        "discountCode": {"itemFixedDiscountCode": {"code": "OFF1", "amountSet": usd("1")}},
        "customer": {"toAssociate": {"id": known_customer_of(client)}},
        "fulfillment": {"locationId": location_of(client), "trackingCompany": "UPS", "trackingNumber": "1Z1"},
    }, ERRORS_ONLY)
    assert created["userErrors"] == []

    order, line_item, shipping_line, discount = lines_of(export(client, EXPORT)[1])

    assert _nulls(order) == [] and _nulls(line_item) == [] and _nulls(shipping_line) == []
    assert discount == {"__typename": "DiscountCodeApplication", "targetType": "LINE_ITEM", "allocationMethod": "ACROSS",
                        "code": "OFF1", "value": {"amount": "1.0", "currencyCode": "USD"}, "__parentId": order["id"]}
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "32.25", "currencyCode": "USD"}
    assert (order["totalWeight"], order["subtotalLineItemsQuantity"], order["fullyPaid"]) == ("2000", 2, True)
    assert (line_item["__parentId"], shipping_line["__parentId"]) == (order["id"], order["id"])
    assert (line_item["name"], line_item["variantTitle"], line_item["sku"], line_item["vendor"]) == (
        "Lamp - Red", "Red", "LAMP-R", "Acme")
    assert line_item["customAttributes"] == [{"key": "engraving", "value": "A"}]
    assert shipping_line["originalPriceSet"] == {"shopMoney": {"amount": "7.0"}}


SEEDED = """{ orders(first: 20, sortKey: ORDER_NUMBER) { nodes { name email poNumber tags fullyPaid
  displayFinancialStatus displayFulfillmentStatus customer { id } shippingLine { title }
  totalPriceSet { shopMoney { amount } } totalReceivedSet { shopMoney { amount } }
  lineItems(first: 5) { nodes { sku variant { id } } } } } }"""


def test_seeded_orders_buy_the_shops_variants_for_its_customers_paid_in_full_and_repeat_per_seed(
        clocked_server: InProcessServer) -> None:
    assert clocked_server.runtime is not None
    shops = [clocked_server.new_shop("order-seed") for _ in range(2)]
    for shop in shops:
        seed_shop(clocked_server.runtime.db, shop.id, products_count=2, variants_per_product=2, customers_count=3,
                  orders_count=7, now=clocked_server.clock.now(), seed=5)
    first, second = (clocked_server.client(s).graphql(SEEDED)["data"]["orders"]["nodes"] for s in shops)

    assert [o["name"] for o in first] == [f"#{1001 + n}" for n in range(7)]
    assert all(o["customer"] and o["shippingLine"] and o["lineItems"]["nodes"] and o["fullyPaid"] for o in first)
    assert all(li["sku"] and li["variant"] for o in first for li in o["lineItems"]["nodes"])
    assert {o["displayFinancialStatus"] for o in first} == {"PAID"}
    assert [o["displayFulfillmentStatus"] for o in first][:3] == ["UNFULFILLED", "FULFILLED", "UNFULFILLED"]
    assert [o["totalPriceSet"] for o in first] == [o["totalReceivedSet"] for o in first]
    assert [(o["email"], o["tags"], o["totalPriceSet"]) for o in first] == [
        (o["email"], o["tags"], o["totalPriceSet"]) for o in second]


def test_a_customers_orders_count_spend_and_list_read_from_its_orders(clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop("order-customer"))
    customer_id = known_customer_of(client)
    for price, processed in (("10", "2025-01-01T00:00:00Z"), ("2.50", "2025-02-01T00:00:00Z")):
        create(client, {"lineItems": [item(price=price)], "processedAt": processed,
                        "customer": {"toAssociate": {"id": customer_id}}}, ERRORS_ONLY)

    read = client.graphql(f'''{{ customer(id: "{customer_id}") {{ numberOfOrders amountSpent {{ amount currencyCode }}
      lastOrder {{ totalPriceSet {{ shopMoney {{ amount }} }} }} orders(first: 5) {{ nodes {{ name }} }} }} }}''')
    lines = lines_of(export(client, "{ customers { edges { node { id orders { edges { node { id name } } } } } } }")[1])

    assert read["data"]["customer"] == {
        "numberOfOrders": "2", "amountSpent": {"amount": "12.5", "currencyCode": "USD"},
        "lastOrder": {"totalPriceSet": {"shopMoney": {"amount": "2.5"}}},
        "orders": {"nodes": [{"name": "#1001"}, {"name": "#1002"}]}}
    assert [line.get("name") for line in lines] == [None, "#1001", "#1002"]
    assert {line["__parentId"] for line in lines[1:]} == {customer_id}


CLAIMING = """mutation create($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) { order { id } userErrors { field message code } } }"""


def test_inventory_is_claimed_unless_bypassed_and_obeying_the_policy_refuses_what_is_not_in_stock(
        clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop("order-stock"))
    client.graphql('mutation { productCreate(product: {title: "Kettle"}) { product { id } } }')
    variant = first_variant(client)["id"]
    add_stock(client, variant, 3)

    def order(behaviour: str, quantity: int = 2) -> tuple[list[dict[str, Any]], int]:
        answer = client.graphql(CLAIMING, {"order": {"lineItems": [{"variantId": variant, "quantity": quantity}]},
                                           "options": {"inventoryBehaviour": behaviour}})["data"]["orderCreate"]
        stock = client.graphql(f'{{ node(id: "{variant}") {{ ... on ProductVariant {{ inventoryQuantity }} }} }}')
        return answer["userErrors"], stock["data"]["node"]["inventoryQuantity"]

    assert order("BYPASS") == ([], 3)
    assert order("DECREMENT_OBEYING_POLICY") == ([], 1)
    assert order("DECREMENT_OBEYING_POLICY") == ([_error(["lineItems", "0", "quantity"],
                                                         "Not enough inventory available for Kettle",
                                                         "INVENTORY_CLAIM_FAILED")], 1)
    assert order("DECREMENT_IGNORING_POLICY") == ([], -1)

    add_stock(client, variant, 3)
    lines = run_bulk(client, CLAIMING, *({"order": {"lineItems": [{"variantId": variant, "quantity": quantity}]},
                                          "options": {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}}
                                         for quantity in (2, 1)))
    assert lines[0]["data"]["orderCreate"]["userErrors"] == []
    assert lines[1]["data"]["orderCreate"]["userErrors"][0]["code"] == "INVENTORY_CLAIM_FAILED"
    assert order("BYPASS")[1] == 0


def add_stock(client: BulkClient, variant: str, units: int) -> None:
    client.graphql("""mutation a($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) {
      userErrors { message } } }""", {"input": {"name": "available", "reason": "correction", "changes": [{
        "inventoryItemId": variant.replace("ProductVariant", "InventoryItem"), "locationId": location_of(client),
        "delta": units}]}})


AGREEMENTS = """query one($id: ID!) { order(id: $id) { agreements(first: 5) { nodes { __typename reason
  ... on OrderAgreement { order { id } } sales(first: 5) { nodes { __typename quantity lineType
  ... on ProductSale { lineItem { title } } totalAmount { shopMoney { amount } } } } } } } }"""


def test_an_order_reads_its_sale_agreement_with_a_product_sale_per_line_as_its_export_does(shop: BulkClient) -> None:
    made = create(shop, {"lineItems": [item(quantity=2), item("Card", price="3.00")]})

    body = shop.graphql(AGREEMENTS, {"id": made["order"]["id"]})

    [agreement] = body["data"]["order"]["agreements"]["nodes"]
    assert (agreement["__typename"], agreement["reason"], agreement["order"]) == (
        "OrderAgreement", "ORDER", {"id": made["order"]["id"]})
    assert agreement["sales"]["nodes"] == [
        {"__typename": "ProductSale", "quantity": 2, "lineType": "PRODUCT", "lineItem": {"title": "Gift wrap"},
         "totalAmount": {"shopMoney": {"amount": "10.0"}}},
        {"__typename": "ProductSale", "quantity": 1, "lineType": "PRODUCT", "lineItem": {"title": "Card"},
         "totalAmount": {"shopMoney": {"amount": "3.0"}}}]
