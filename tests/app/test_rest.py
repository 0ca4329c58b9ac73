"""The REST Admin endpoints connectors call first and the list/count/get endpoints of stored resources, over real
HTTP on the in-process server: Shopify's shapes, filters, ``Link`` pagination, errors, and shop isolation."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkops.domain.shops.rules import Shop
from tests.server import InProcessServer

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
API = "/admin/api/2026-01"


def get(server: InProcessServer, shop: Shop | None, path: str, **params: Any) -> httpx.Response:
    headers = {"X-Shopify-Access-Token": shop.access_token or ""} if shop else {}
    return httpx.get(f"{server.base_url}{path}", params=params, headers=headers)


def graphql(server: InProcessServer, shop: Shop, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{server.base_url}{API}/graphql.json", json={"query": query, "variables": variables},
                          headers={"X-Shopify-Access-Token": shop.access_token or ""})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


CREATE_CUSTOMER = ("mutation c($input: CustomerInput!) { customerCreate(input: $input) "
                   "{ customer { id } userErrors { field message } } }")
CREATE_PRODUCT = ("mutation p($product: ProductCreateInput!) { productCreate(product: $product) "
                  "{ product { id variants(first: 5) { nodes { id } } } userErrors { field message } } }")


def customer(server: InProcessServer, shop: Shop, email: str, **extra: Any) -> int:
    made = graphql(server, shop, CREATE_CUSTOMER, {"input": {"email": email, **extra}})["customerCreate"]
    assert made["userErrors"] == []
    return int(made["customer"]["id"].rsplit("/", 1)[1])


def product(server: InProcessServer, shop: Shop, title: str, **extra: Any) -> int:
    made = graphql(server, shop, CREATE_PRODUCT, {"product": {"title": title, **extra}})["productCreate"]
    assert made["userErrors"] == []
    return int(made["product"]["id"].rsplit("/", 1)[1])


def next_link(response: httpx.Response, rel: str = "next") -> str | None:
    for url, found in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", "")):
        if found == rel:
            return url
    return None


@pytest.fixture
def shop(clocked_server: InProcessServer) -> Shop:
    return clocked_server.new_shop("rest")


# ---- shop.json and access_scopes.json --------------------------------------------------------------------
def test_shop_json_answers_the_shop_of_the_token_in_the_rest_shape(clocked_server: InProcessServer,
                                                                     shop: Shop) -> None:
    response = get(clocked_server, shop, f"{API}/shop.json")

    assert response.status_code == 200
    assert response.headers["x-shopify-api-version"] == "2026-01"
    assert response.headers["x-shopify-shop-api-call-limit"] == "1/40"
    body = response.json()["shop"]
    assert body["id"] == shop.id
    assert body["name"] == shop.name
    assert body["myshopify_domain"] == body["domain"] == shop.domain
    assert body["email"] == f"owner@{shop.domain}"
    assert (body["currency"], body["iana_timezone"]) == ("USD", "UTC")
    assert isinstance(body["primary_location_id"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", body["created_at"])
    assert body["address1"] is None and body["plan_name"] == "basic"


def test_shop_json_keeps_only_the_fields_asked_for(clocked_server: InProcessServer, shop: Shop) -> None:
    body = get(clocked_server, shop, f"{API}/shop.json", fields="id,name").json()

    assert body == {"shop": {"id": shop.id, "name": shop.name}}


def test_access_scopes_lists_the_scopes_of_the_stored_resources(clocked_server: InProcessServer,
                                                                  shop: Shop) -> None:
    response = get(clocked_server, shop, "/admin/oauth/access_scopes.json")

    handles = [scope["handle"] for scope in response.json()["access_scopes"]]
    assert response.status_code == 200
    assert {"read_products", "read_customers", "read_inventory", "read_locations", "read_orders"} <= set(handles)


@pytest.mark.parametrize("path", [f"{API}/shop.json", "/admin/oauth/access_scopes.json", f"{API}/customers.json",
                                  f"{API}/products/count.json", f"{API}/locations/1.json"])
def test_a_request_without_a_valid_token_is_refused_with_shopifys_rest_body(clocked_server: InProcessServer,
                                                                            path: str) -> None:
    missing = get(clocked_server, None, path)
    wrong = httpx.get(f"{clocked_server.base_url}{path}", headers={"X-Shopify-Access-Token": "shpat_nope"})

    assert (missing.status_code, missing.json()) == (401, INVALID_TOKEN)
    assert (wrong.status_code, wrong.json()) == (401, INVALID_TOKEN)


def test_an_unknown_version_is_not_found_as_on_the_graphql_route(clocked_server: InProcessServer,
                                                                  shop: Shop) -> None:
    response = get(clocked_server, shop, "/admin/api/1999-99/shop.json")

    assert (response.status_code, response.json()) == (404, {"errors": "Not Found"})


def test_a_retired_version_is_served_by_the_oldest_supported_one(clocked_server: InProcessServer,
                                                                  shop: Shop) -> None:
    response = get(clocked_server, shop, "/admin/api/2019-07/shop.json")

    assert response.status_code == 200
    assert response.headers["x-shopify-api-version"] != "2019-07"


def test_a_host_naming_another_shop_is_refused(clocked_server: InProcessServer, shop: Shop) -> None:
    headers = {"X-Shopify-Access-Token": shop.access_token or ""}
    other = httpx.get(f"{clocked_server.base_url}{API}/shop.json",
                      headers={**headers, "Host": "someone-else.myshopify.com"})
    own = httpx.get(f"{clocked_server.base_url}{API}/shop.json", headers={**headers, "Host": shop.domain})
    graphql_other = httpx.post(f"{clocked_server.base_url}{API}/graphql.json", json={"query": "{ shop { id } }"},
                               headers={**headers, "Host": "someone-else.myshopify.com"})

    assert (other.status_code, other.json()) == (401, INVALID_TOKEN)
    assert own.status_code == 200
    assert (graphql_other.status_code, graphql_other.json()) == (401, INVALID_TOKEN)


# ---- customers ---------------------------------------------------------------------------------------------
ADDRESS = {"address1": "1 Main St", "city": "Ottawa", "provinceCode": "ON", "countryCode": "CA", "zip": "K1A 0A1",
           "firstName": "Ada", "lastName": "Lovelace"}


def test_customers_json_lists_customers_in_the_rest_shape(clocked_server: InProcessServer, shop: Shop) -> None:
    number = customer(clocked_server, shop, "ada@example.com", firstName="Ada", tags=["vip", "b2b"],
                      addresses=[ADDRESS])

    body = get(clocked_server, shop, f"{API}/customers.json").json()

    [found] = body["customers"]
    assert found["id"] == number
    assert (found["email"], found["first_name"], found["tags"]) == ("ada@example.com", "Ada", "vip, b2b")
    assert found["admin_graphql_api_id"] == f"gid://shopify/Customer/{number}"
    assert (found["state"], found["orders_count"], found["total_spent"]) == ("disabled", 0, "0.00")
    assert found["email_marketing_consent"]["state"] == "not_subscribed"
    address = found["default_address"]
    assert address == found["addresses"][0]
    assert (address["customer_id"], address["city"], address["country_code"], address["country"],
            address["default"]) == (number, "Ottawa", "CA", "Canada", True)


def test_customers_are_paged_by_link_header_with_the_first_requests_filters(clocked_server: InProcessServer,
                                                                             shop: Shop) -> None:
    numbers = [customer(clocked_server, shop, f"page{n}@example.com") for n in range(5)]

    first = get(clocked_server, shop, f"{API}/customers.json", limit=2, since_id=numbers[0])
    second = httpx.get(next_link(first) or "", headers={"X-Shopify-Access-Token": shop.access_token or ""})
    back = httpx.get(next_link(second, "previous") or "",
                     headers={"X-Shopify-Access-Token": shop.access_token or ""})

    assert [c["id"] for c in first.json()["customers"]] == numbers[1:3]
    assert next_link(first, "previous") is None
    assert [c["id"] for c in second.json()["customers"]] == numbers[3:5]
    assert next_link(second) is None
    assert [c["id"] for c in back.json()["customers"]] == numbers[1:3]
    assert "limit=2" in (next_link(first) or "")


UPDATE_CUSTOMER = ("mutation u($input: CustomerInput!) { customerUpdate(input: $input) "
                   "{ customer { id } userErrors { field message } } }")


def test_order_updated_at_pages_in_that_order_and_keeps_it_in_page_info(clocked_server: InProcessServer,
                                                                         shop: Shop) -> None:
    first, second, third = (customer(clocked_server, shop, f"order{n}@example.com") for n in range(3))
    clocked_server.advance(60)
    graphql(clocked_server, shop, UPDATE_CUSTOMER,
            {"input": {"id": f"gid://shopify/Customer/{first}", "note": "touched last"}})
    headers = {"X-Shopify-Access-Token": shop.access_token or ""}

    page = get(clocked_server, shop, f"{API}/customers.json", limit=2, order="updated_at asc", fields="id")
    rest = httpx.get(next_link(page) or "", headers=headers)
    newest = get(clocked_server, shop, f"{API}/customers.json", limit=1, order="updated_at desc", fields="id")
    back = httpx.get(next_link(rest, "previous") or "", headers=headers)

    assert [c["id"] for c in page.json()["customers"]] == [second, third]
    assert [c["id"] for c in rest.json()["customers"]] == [first]
    assert [c["id"] for c in back.json()["customers"]] == [second, third]
    assert [c["id"] for c in newest.json()["customers"]] == [first]


def test_customers_filter_by_ids_and_updated_at(clocked_server: InProcessServer, shop: Shop) -> None:
    old = customer(clocked_server, shop, "old@example.com")
    clocked_server.advance(3600)
    new = customer(clocked_server, shop, "new@example.com")
    created = get(clocked_server, shop, f"{API}/customers/{new}.json").json()["customer"]["updated_at"]

    by_ids = get(clocked_server, shop, f"{API}/customers.json", ids=f"{old},{new}").json()
    since = get(clocked_server, shop, f"{API}/customers.json", updated_at_min=created).json()
    before = get(clocked_server, shop, f"{API}/customers.json", created_at_max=created.replace("+00:00", "+01:00"))

    assert [c["id"] for c in by_ids["customers"]] == [old, new]
    assert [c["id"] for c in since["customers"]] == [new]
    assert [c["id"] for c in before.json()["customers"]] == [old]


def test_customers_count_and_get(clocked_server: InProcessServer, shop: Shop) -> None:
    number = customer(clocked_server, shop, "count@example.com")

    count = get(clocked_server, shop, f"{API}/customers/count.json").json()
    one = get(clocked_server, shop, f"{API}/customers/{number}.json", fields="id,email").json()
    missing = get(clocked_server, shop, f"{API}/customers/{number + 1000}.json")

    assert count == {"count": 1}
    assert one == {"customer": {"id": number, "email": "count@example.com"}}
    assert (missing.status_code, missing.json()) == (404, {"errors": "Not Found"})


def test_fields_keeps_only_those_properties_in_lists(clocked_server: InProcessServer, shop: Shop) -> None:
    number = customer(clocked_server, shop, "fields@example.com")

    body = get(clocked_server, shop, f"{API}/customers.json", fields="id,email").json()

    assert body == {"customers": [{"id": number, "email": "fields@example.com"}]}


# ---- parameter errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("limit", ["0", "-1", "ten", "2.5"])
def test_a_limit_that_is_no_positive_number_is_a_400(clocked_server: InProcessServer, shop: Shop,
                                                     limit: str) -> None:
    response = get(clocked_server, shop, f"{API}/customers.json", limit=limit)

    assert response.status_code == 400
    assert response.json() == {"errors": {"limit": f"limit must be a whole number from 1 to 250 (got {limit!r})."}}


def test_a_limit_above_250_answers_250(clocked_server: InProcessServer, shop: Shop) -> None:
    for n in range(3):
        customer(clocked_server, shop, f"many{n}@example.com")

    first = get(clocked_server, shop, f"{API}/customers.json", limit=1000, fields="id")

    assert first.status_code == 200 and len(first.json()["customers"]) == 3


def test_page_info_with_a_filter_is_refused_as_shopify_refuses_it(clocked_server: InProcessServer,
                                                                   shop: Shop) -> None:
    for n in range(2):
        customer(clocked_server, shop, f"pi{n}@example.com")
    link = next_link(get(clocked_server, shop, f"{API}/customers.json", limit=1)) or ""
    page_info = link.split("page_info=")[1]

    mixed = get(clocked_server, shop, f"{API}/customers.json", page_info=page_info, since_id=1)
    fine = get(clocked_server, shop, f"{API}/customers.json", page_info=page_info, limit=1, fields="id")

    assert mixed.status_code == 400
    assert mixed.json() == {"errors": {"page_info": "page_info cannot be passed with other parameters than limit "
                                                    "and fields (got since_id): the filters of the first request "
                                                    "are kept in it."}}
    assert fine.status_code == 200


@pytest.mark.parametrize("page_info", ["garbage!", base64.urlsafe_b64encode(b'{"last_id": "x"}').decode(),
                                       base64.urlsafe_b64encode(orjson.dumps(
                                           {"filters": {}, "last_id": 1, "direction": "sideways"})).decode()])
def test_a_page_info_the_server_never_gave_is_a_400(clocked_server: InProcessServer, shop: Shop,
                                                    page_info: str) -> None:
    response = get(clocked_server, shop, f"{API}/customers.json", page_info=page_info)

    assert (response.status_code, response.json()) == (400, {"errors": {"page_info": "Invalid value."}})


@pytest.mark.parametrize(("param", "value", "message"), [
    ("updated_at_min", "yesterday", "updated_at_min must be an ISO 8601 date or time, e.g. "
                                    "2025-11-01T00:00:00-04:00 (got 'yesterday')."),
    ("ids", "1,two", "ids must be a comma-separated list of ids (got '1,two')."),
    ("since_id", "-3", "since_id must be a comma-separated list of ids (got '-3')."),
    ("page", "2", "page cannot be passed."),
])
def test_a_bad_filter_value_is_a_400_naming_it(clocked_server: InProcessServer, shop: Shop, param: str,
                                               value: str, message: str) -> None:
    response = get(clocked_server, shop, f"{API}/customers.json", **{param: value})

    assert (response.status_code, response.json()) == (400, {"errors": {param: message}})


# ---- products ------------------------------------------------------------------------------------------------
CREATE_WITH_MEDIA = ("mutation p($product: ProductCreateInput!, $media: [CreateMediaInput!]) "
                     "{ productCreate(product: $product, media: $media) { product { id variants(first: 5) "
                     "{ nodes { id } } } userErrors { field message } } }")


def test_products_json_embeds_variants_options_and_images(clocked_server: InProcessServer, shop: Shop) -> None:
    made = graphql(clocked_server, shop, CREATE_WITH_MEDIA, {
        "product": {"title": "Shirt", "vendor": "Acme", "tags": ["cotton"], "status": "DRAFT",
                    "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}]},
        "media": [{"originalSource": "https://cdn.example.com/shirt.png", "mediaContentType": "IMAGE",
                   "alt": "A shirt"}],
    })["productCreate"]
    number = int(made["product"]["id"].rsplit("/", 1)[1])
    variant = int(made["product"]["variants"]["nodes"][0]["id"].rsplit("/", 1)[1])

    [found] = get(clocked_server, shop, f"{API}/products.json").json()["products"]

    assert (found["id"], found["title"], found["vendor"], found["status"], found["tags"]) == (
        number, "Shirt", "Acme", "draft", "cotton")
    assert found["admin_graphql_api_id"] == f"gid://shopify/Product/{number}"
    [option] = found["options"]
    assert (option["product_id"], option["name"], option["position"], option["values"]) == (number, "Size", 1, ["S"])
    [row] = found["variants"]
    assert (row["id"], row["product_id"], row["option1"], row["option2"], row["inventory_item_id"]) == (
        variant, number, "S", None, variant)
    assert (row["price"], row["inventory_policy"], row["weight_unit"]) == ("0.00", "deny", "kg")
    [image] = found["images"]
    assert (image["product_id"], image["position"], image["alt"]) == (number, 1, "A shirt")
    assert image["src"] == "https://cdn.example.com/shirt.png"
    assert found["image"] == image


def test_a_products_variants_and_images_are_under_its_path(clocked_server: InProcessServer, shop: Shop) -> None:
    made = graphql(clocked_server, shop, CREATE_WITH_MEDIA, {
        "product": {"title": "Mug", "productOptions": [{"name": "Color", "values": [{"name": "Red"}]}]},
        "media": [{"originalSource": "https://cdn.example.com/mug.png", "mediaContentType": "IMAGE"}],
    })["productCreate"]
    number = int(made["product"]["id"].rsplit("/", 1)[1])
    variant = int(made["product"]["variants"]["nodes"][0]["id"].rsplit("/", 1)[1])
    other = product(clocked_server, clocked_server.new_shop("other-variants"), "Theirs")

    variants = get(clocked_server, shop, f"{API}/products/{number}/variants.json").json()["variants"]
    one = get(clocked_server, shop, f"{API}/variants/{variant}.json").json()["variant"]
    counted = get(clocked_server, shop, f"{API}/products/{number}/variants/count.json").json()
    images = get(clocked_server, shop, f"{API}/products/{number}/images.json").json()["images"]
    foreign = get(clocked_server, shop, f"{API}/products/{other}/variants.json")

    assert [(v["id"], v["option1"]) for v in variants] == [(variant, "Red")]
    assert one == variants[0]
    assert counted == {"count": 1}
    assert [(i["product_id"], i["position"], i["src"]) for i in images] == [
        (number, 1, "https://cdn.example.com/mug.png")]
    assert (foreign.status_code, foreign.json()) == (404, {"errors": "Not Found"})


def test_a_product_without_options_answers_the_default_title_option(clocked_server: InProcessServer,
                                                                     shop: Shop) -> None:
    number = product(clocked_server, shop, "Plain")

    found = get(clocked_server, shop, f"{API}/products/{number}.json").json()["product"]

    assert [(o["name"], o["values"]) for o in found["options"]] == [("Title", ["Default Title"])]
    assert found["variants"][0]["option1"] == "Default Title"
    assert (found["images"], found["image"]) == ([], None)


def test_products_filter_by_vendor_status_and_handle_and_count_the_same(clocked_server: InProcessServer,
                                                                         shop: Shop) -> None:
    acme = product(clocked_server, shop, "Anvil", vendor="Acme")
    product(clocked_server, shop, "Rocket", vendor="Other", status="DRAFT")

    by_vendor = get(clocked_server, shop, f"{API}/products.json", vendor="Acme", fields="id").json()
    by_status = get(clocked_server, shop, f"{API}/products.json", status="active", fields="id").json()
    by_handle = get(clocked_server, shop, f"{API}/products.json", handle="anvil,nothing", fields="id").json()
    counted = get(clocked_server, shop, f"{API}/products/count.json", vendor="Other").json()

    assert by_vendor == by_status == by_handle == {"products": [{"id": acme}]}
    assert counted == {"count": 1}


# ---- locations and inventory levels ----------------------------------------------------------------------------
SET_QUANTITIES = ("mutation s($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) "
                  "{ userErrors { field message } } }")


def second_location(server: InProcessServer, shop: Shop) -> int:
    from sqlalchemy import insert

    from bulkops.db.tables import locations

    assert server.runtime is not None
    now = server.clock.now()
    with server.runtime.db.write() as conn:
        result = conn.execute(insert(locations).values(shop_id=shop.id, name="Warehouse", is_primary=False,
                                                       is_active=True, created_at=now, updated_at=now))
        return int(result.inserted_primary_key[0])


def stock(server: InProcessServer, item: int, location: int, quantity: int, shop: Shop) -> None:
    """Stock an item at a second location (no mutation here activates one yet): its named quantities' rows."""
    from sqlalchemy import insert

    from bulkops.db.tables import inventory_quantities

    assert server.runtime is not None
    with server.runtime.db.write() as conn:
        conn.execute(insert(inventory_quantities), [
            {"shop_id": shop.id, "item_id": item, "location_id": location, "name": name, "quantity": quantity,
             "updated_at": server.clock.now()} for name in ("available", "on_hand")])


def set_available(server: InProcessServer, shop: Shop, item: int, location: int, quantity: int) -> None:
    done = graphql(server, shop, SET_QUANTITIES, {"input": {"name": "available", "reason": "correction",
                                                     "ignoreCompareQuantity": True, "quantities": [
        {"inventoryItemId": f"gid://shopify/InventoryItem/{item}",
         "locationId": f"gid://shopify/Location/{location}", "quantity": quantity}]}})
    assert done["inventorySetQuantities"]["userErrors"] == []


def test_locations_json_lists_get_and_count(clocked_server: InProcessServer, shop: Shop) -> None:
    warehouse = second_location(clocked_server, shop)

    listed = get(clocked_server, shop, f"{API}/locations.json").json()["locations"]
    one = get(clocked_server, shop, f"{API}/locations/{warehouse}.json").json()["location"]
    counted = get(clocked_server, shop, f"{API}/locations/count.json").json()

    assert [(loc["name"], loc["active"]) for loc in listed] == [("Shop location", True), ("Warehouse", True)]
    assert (one["id"], one["name"], one["admin_graphql_api_id"]) == (
        warehouse, "Warehouse", f"gid://shopify/Location/{warehouse}")
    assert one["address1"] is None and one["legacy"] is False
    assert counted == {"count": 2}


def test_locations_json_ignores_the_filters_connectors_send_as_shopify_does(clocked_server: InProcessServer,
                                                                             shop: Shop) -> None:
    body = get(clocked_server, shop, f"{API}/locations.json", updated_at_min="2999-01-01", order="updated_at asc")

    assert [loc["name"] for loc in body.json()["locations"]] == ["Shop location"]


def test_inventory_levels_by_item_and_by_location_with_pages(clocked_server: InProcessServer, shop: Shop) -> None:
    primary = get(clocked_server, shop, f"{API}/shop.json").json()["shop"]["primary_location_id"]
    warehouse = second_location(clocked_server, shop)
    items = []
    for title in ("One", "Two", "Three"):
        made = graphql(clocked_server, shop, CREATE_PRODUCT, {"product": {"title": title}})["productCreate"]
        items.append(int(made["product"]["variants"]["nodes"][0]["id"].rsplit("/", 1)[1]))
    set_available(clocked_server, shop, items[0], primary, 7)
    stock(clocked_server, items[0], warehouse, 3, shop)
    stock(clocked_server, items[2], warehouse, 5, shop)

    by_item = get(clocked_server, shop, f"{API}/inventory_levels.json", inventory_item_ids=str(items[0])).json()
    at_warehouse = get(clocked_server, shop, f"{API}/inventory_levels.json", location_ids=str(warehouse), limit=1)
    rest = httpx.get(next_link(at_warehouse) or "", headers={"X-Shopify-Access-Token": shop.access_token or ""})

    assert [(lv["location_id"], lv["available"]) for lv in by_item["inventory_levels"]] == [
        (primary, 7), (warehouse, 3)]
    assert by_item["inventory_levels"][0]["admin_graphql_api_id"] == (
        f"gid://shopify/InventoryLevel/{primary}?inventory_item_id={items[0]}")
    assert [(lv["inventory_item_id"], lv["available"]) for lv in at_warehouse.json()["inventory_levels"]] == [
        (items[0], 3)]
    assert [(lv["inventory_item_id"], lv["available"]) for lv in rest.json()["inventory_levels"]] == [
        (items[2], 5)]
    assert next_link(rest) is None and next_link(rest, "previous") is not None


def test_inventory_levels_need_items_or_locations(clocked_server: InProcessServer, shop: Shop) -> None:
    response = get(clocked_server, shop, f"{API}/inventory_levels.json")

    assert (response.status_code, response.json()) == (
        422, {"errors": "inventory_item_ids or location_ids must be specified."})


# ---- collections -------------------------------------------------------------------------------------------
CREATE_COLLECTION = ("mutation c($input: CollectionInput!) { collectionCreate(input: $input) "
                     "{ collection { id } userErrors { field message } } }")


def collection(server: InProcessServer, shop: Shop, **fields: Any) -> int:
    made = graphql(server, shop, CREATE_COLLECTION, {"input": fields})["collectionCreate"]
    assert made["userErrors"] == []
    return int(made["collection"]["id"].rsplit("/", 1)[1])


def test_custom_and_smart_collections_are_listed_apart(clocked_server: InProcessServer, shop: Shop) -> None:
    custom = collection(clocked_server, shop, title="Summer", descriptionHtml="<p>Hot</p>")
    smart = collection(clocked_server, shop, title="Shirts", ruleSet={
        "appliedDisjunctively": False, "rules": [{"column": "TITLE", "relation": "CONTAINS", "condition": "Shirt"}]})

    customs = get(clocked_server, shop, f"{API}/custom_collections.json").json()["custom_collections"]
    smarts = get(clocked_server, shop, f"{API}/smart_collections.json").json()["smart_collections"]
    one = get(clocked_server, shop, f"{API}/smart_collections/{smart}.json").json()["smart_collection"]
    wrong_kind = get(clocked_server, shop, f"{API}/custom_collections/{smart}.json")
    counted = get(clocked_server, shop, f"{API}/custom_collections/count.json", title="Summer").json()

    assert [(c["id"], c["title"], c["body_html"], c["handle"]) for c in customs] == [
        (custom, "Summer", "<p>Hot</p>", "summer")]
    assert "rules" not in customs[0]
    assert [c["id"] for c in smarts] == [smart]
    assert (one["disjunctive"], one["rules"]) == (False, [{"column": "title", "relation": "contains",
                                                          "condition": "Shirt"}])
    assert one["admin_graphql_api_id"] == f"gid://shopify/Collection/{smart}"
    assert wrong_kind.status_code == 404
    assert counted == {"count": 1}


# ---- metafields ----------------------------------------------------------------------------------------------
SET_METAFIELDS = ("mutation m($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) "
                  "{ metafields { id } userErrors { field message } } }")


def metafield(server: InProcessServer, shop: Shop, owner: str, key: str, value: str) -> int:
    made = graphql(server, shop, SET_METAFIELDS, {"metafields": [
        {"ownerId": owner, "namespace": "custom", "key": key, "type": "single_line_text_field", "value": value}]})
    assert made["metafieldsSet"]["userErrors"] == []
    return int(made["metafieldsSet"]["metafields"][0]["id"].rsplit("/", 1)[1])


def test_metafields_json_lists_the_shops_own_metafields(clocked_server: InProcessServer, shop: Shop) -> None:
    own = metafield(clocked_server, shop, f"gid://shopify/Shop/{shop.id}", "motto", "Ship fast")
    number = product(clocked_server, shop, "Has a metafield")
    metafield(clocked_server, shop, f"gid://shopify/Product/{number}", "fabric", "linen")

    listed = get(clocked_server, shop, f"{API}/metafields.json").json()["metafields"]
    by_key = get(clocked_server, shop, f"{API}/metafields.json", key="nothing").json()

    assert [(m["id"], m["namespace"], m["key"], m["value"], m["owner_resource"], m["owner_id"], m["type"])
            for m in listed] == [(own, "custom", "motto", "Ship fast", "shop", shop.id, "single_line_text_field")]
    assert by_key == {"metafields": []}


def test_a_resources_metafields_are_under_its_path(clocked_server: InProcessServer, shop: Shop) -> None:
    number = product(clocked_server, shop, "Owner")
    made = metafield(clocked_server, shop, f"gid://shopify/Product/{number}", "fabric", "linen")
    other = clocked_server.new_shop("other-owner")
    theirs = product(clocked_server, other, "Theirs")

    listed = get(clocked_server, shop, f"{API}/products/{number}/metafields.json").json()["metafields"]
    one = get(clocked_server, shop, f"{API}/products/{number}/metafields/{made}.json").json()["metafield"]
    counted = get(clocked_server, shop, f"{API}/products/{number}/metafields/count.json").json()
    foreign = get(clocked_server, shop, f"{API}/products/{theirs}/metafields.json")

    assert [(m["id"], m["owner_resource"], m["owner_id"]) for m in listed] == [(made, "product", number)]
    assert one["value"] == "linen"
    assert counted == {"count": 1}
    assert (foreign.status_code, foreign.json()) == (404, {"errors": "Not Found"})


# ---- shop isolation --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["customers", "products", "locations", "custom_collections"])
def test_each_list_count_and_get_answers_only_the_tokens_shop(clocked_server: InProcessServer, path: str) -> None:
    mine, theirs = clocked_server.new_shop("mine"), clocked_server.new_shop("theirs")
    made = {"customers": lambda s: customer(clocked_server, s, f"{s.name}@example.com"),
            "products": lambda s: product(clocked_server, s, f"Only {s.name}"),
            "locations": lambda s: second_location(clocked_server, s),
            "custom_collections": lambda s: collection(clocked_server, s, title=f"Only {s.name}")}[path]
    own, other = made(mine), made(theirs)

    listed = [row["id"] for row in get(clocked_server, mine, f"{API}/{path}.json").json()[path]]
    by_ids = get(clocked_server, mine, f"{API}/{path}.json", ids=f"{own},{other}").json()[path]
    counted = get(clocked_server, mine, f"{API}/{path}/count.json").json()["count"]
    foreign = get(clocked_server, mine, f"{API}/{path}/{other}.json")

    assert own in listed and other not in listed
    assert [row["id"] for row in by_ids] == (listed if path == "locations" else [own])  # locations: no ids filter
    assert counted == len(listed)
    assert foreign.status_code == 404


def test_inventory_levels_answer_only_the_tokens_shop(clocked_server: InProcessServer) -> None:
    mine, theirs = clocked_server.new_shop("mine"), clocked_server.new_shop("theirs")
    made = graphql(clocked_server, theirs, CREATE_PRODUCT, {"product": {"title": "Theirs"}})["productCreate"]
    item = made["product"]["variants"]["nodes"][0]["id"].rsplit("/", 1)[1]
    their_location = get(clocked_server, theirs, f"{API}/shop.json").json()["shop"]["primary_location_id"]

    by_item = get(clocked_server, mine, f"{API}/inventory_levels.json", inventory_item_ids=item).json()
    by_location = get(clocked_server, mine, f"{API}/inventory_levels.json", location_ids=str(their_location)).json()

    assert by_item == by_location == {"inventory_levels": []}


def test_a_page_info_of_another_list_is_a_400(clocked_server: InProcessServer, shop: Shop) -> None:
    levels = base64.urlsafe_b64encode(orjson.dumps({"filters": {}, "last_id": [1, 2], "direction": "next"}))
    rows = base64.urlsafe_b64encode(orjson.dumps({"filters": {"location_ids": "1"}, "last_id": 1,
                                                  "direction": "next"}))

    as_customers = get(clocked_server, shop, f"{API}/customers.json", page_info=levels.decode())
    as_levels = get(clocked_server, shop, f"{API}/inventory_levels.json", page_info=rows.decode())

    assert (as_customers.status_code, as_customers.json()) == (400, {"errors": {"page_info": "Invalid value."}})
    assert (as_levels.status_code, as_levels.json()) == (400, {"errors": {"page_info": "Invalid value."}})


PARAMS = st.dictionaries(
    st.sampled_from(["limit", "since_id", "ids", "fields", "page_info", "created_at_min", "updated_at_max",
                     "inventory_item_ids", "location_ids", "updated_at_min", "vendor", "status", "handle",
                     "namespace", "key", "financial_status", "fulfillment_status", "processed_at",
                     "processed_at_max"]),
    st.one_of(st.text(max_size=30), st.integers(-2**70, 2**70).map(str),
              st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1,2,,3", "2025-11-01"])),
    max_size=4,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["customers.json", "products.json", "locations.json", "inventory_levels.json",
                             "products/count.json", "customers/1.json", "shop.json", "metafields.json", "variants/1.json",
                             "smart_collections.json", "products/1/metafields.json", "products/1/images.json",
                             "orders.json", "orders/count.json", "tender_transactions.json"]),
       params=PARAMS)
def test_no_parameter_makes_a_rest_endpoint_fail_with_a_5xx(clocked_server: InProcessServer, shop: Shop, path: str,
                                                             params: dict[str, str]) -> None:
    response = get(clocked_server, shop, f"{API}/{path}", **params)

    assert response.status_code < 500, (response.status_code, response.text)
    assert "errors" in response.json() or response.status_code == 200


# ---- orders.json ----------------------------------------------------------------------------------------
CREATE_ORDER = ("mutation o($order: OrderCreateOrderInput!) { orderCreate(order: $order) "
                "{ order { id } userErrors { field message } } }")


def order(server: InProcessServer, shop: Shop, **fields: Any) -> int:
    line = {"title": "Gift wrap", "quantity": 2, "priceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}}}
    made = graphql(server, shop, CREATE_ORDER, {"order": {"lineItems": [line], **fields}})["orderCreate"]
    assert made["userErrors"] == []
    return int(made["order"]["id"].rsplit("/", 1)[1])


def test_orders_json_lists_orders_with_their_line_items_and_fulfillments_as_connectors_ask(
        clocked_server: InProcessServer, shop: Shop) -> None:
    location = graphql(clocked_server, shop, "{ locations(first: 1) { nodes { id } } }", {})["locations"]["nodes"][0]
    first = order(clocked_server, shop, email="ada@example.com", tags=["vip"])
    second = order(clocked_server, shop, fulfillment={"locationId": location["id"], "trackingNumber": "1Z1"})

    body = get(clocked_server, shop, f"{API}/orders.json", limit="250", status="any", order="updated_at asc",
               updated_at_min="2000-01-01T00:00:00+00:00").json()

    found, fulfilled = body["orders"]
    assert (found["id"], found["name"], found["order_number"], found["number"]) == (first, "#1001", 1001, 1)
    assert (found["email"], found["tags"], found["total_price"], found["currency"]) == (
        "ada@example.com", "vip", "10.00", "USD")
    assert found["admin_graphql_api_id"] == f"gid://shopify/Order/{first}"
    assert [(item["title"], item["quantity"], item["price"]) for item in found["line_items"]] == [
        ("Gift wrap", 2, "5.00")]
    assert (found["fulfillments"], found["refunds"], found["fulfillment_status"]) == ([], [], None)
    [fulfillment] = fulfilled["fulfillments"]
    assert (fulfillment["order_id"], fulfillment["name"], fulfillment["tracking_number"]) == (second, "#1002.1", "1Z1")
    assert fulfilled["fulfillment_status"] == "fulfilled"


def test_an_order_is_got_counted_and_its_metafields_listed_and_another_shops_is_not_found(clocked_server: InProcessServer,
                                                                            shop: Shop) -> None:
    number = order(clocked_server, shop)
    other = clocked_server.new_shop("rest-other")

    assert get(clocked_server, shop, f"{API}/orders/{number}.json").json()["order"]["id"] == number
    assert get(clocked_server, shop, f"{API}/orders/count.json").json() == {"count": 1}
    note = metafield(clocked_server, shop, f"gid://shopify/Order/{number}", "gift", "yes")
    assert [m["id"] for m in get(clocked_server, shop, f"{API}/orders/{number}/metafields.json").json()[
        "metafields"]] == [note]
    assert get(clocked_server, other, f"{API}/orders/{number}.json").status_code == 404


def test_tender_transactions_json_lists_the_money_each_orders_successful_sale_moved(clocked_server: InProcessServer,
                                                                                   shop: Shop) -> None:
    paid = {"kind": "SALE", "status": "SUCCESS", "gateway": "bogus",
            "amountSet": {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}}}
    number = order(clocked_server, shop, transactions=[paid])
    order(clocked_server, shop, transactions=[{**paid, "kind": "AUTHORIZATION"}])

    body = get(clocked_server, shop, f"{API}/tender_transactions.json", order="processed_at asc").json()

    [tender] = body["tender_transactions"]
    assert (tender["order_id"], tender["amount"], tender["currency"], tender["payment_method"]) == (
        number, "10.00", "USD", "bogus")


def cancel(server: InProcessServer, number: int) -> None:
    """Cancel an order in its row (no mutation here cancels one yet)."""
    from sqlalchemy import update

    from bulkops.db.tables import orders

    assert server.runtime is not None
    with server.runtime.db.write() as conn:
        conn.execute(update(orders).where(orders.c.id == number).values(cancelled_at=server.clock.now()))


def listed_orders(server: InProcessServer, shop: Shop, path: str = "orders.json", **params: Any) -> list[int]:
    return [o["id"] for o in get(server, shop, f"{API}/{path}", fields="id", **params).json()["orders"]]


def test_orders_json_lists_open_orders_unless_a_status_is_asked(clocked_server: InProcessServer,
                                                                shop: Shop) -> None:
    still_open = order(clocked_server, shop)
    closed = order(clocked_server, shop, closedAt="2025-11-02T00:00:00Z")
    cancelled = order(clocked_server, shop)
    cancel(clocked_server, cancelled)

    assert listed_orders(clocked_server, shop) == [still_open]
    assert listed_orders(clocked_server, shop, status="closed") == [closed]
    assert listed_orders(clocked_server, shop, status="Cancelled") == [cancelled]
    assert listed_orders(clocked_server, shop, status="any") == [still_open, closed, cancelled]
    assert get(clocked_server, shop, f"{API}/orders/count.json").json() == {"count": 1}
    assert get(clocked_server, shop, f"{API}/orders/count.json", status="any").json() == {"count": 3}
    assert get(clocked_server, shop, f"{API}/orders/{closed}.json").json()["order"]["id"] == closed


def test_orders_filter_by_financial_and_fulfillment_status(clocked_server: InProcessServer, shop: Shop) -> None:
    paid = order(clocked_server, shop, financialStatus="PAID", fulfillmentStatus="FULFILLED")
    authorized = order(clocked_server, shop, financialStatus="AUTHORIZED", fulfillmentStatus="PARTIAL")
    partly_paid = order(clocked_server, shop, financialStatus="PARTIALLY_PAID")
    pending = order(clocked_server, shop, financialStatus="PENDING")

    assert listed_orders(clocked_server, shop, financial_status="paid") == [paid]
    assert listed_orders(clocked_server, shop, financial_status="unpaid") == [authorized, partly_paid]
    assert listed_orders(clocked_server, shop, financial_status="any") == [paid, authorized, partly_paid, pending]
    assert listed_orders(clocked_server, shop, fulfillment_status="shipped") == [paid]
    assert listed_orders(clocked_server, shop, fulfillment_status="partial") == [authorized]
    assert listed_orders(clocked_server, shop, fulfillment_status="unshipped") == [partly_paid, pending]
    assert listed_orders(clocked_server, shop, fulfillment_status="unfulfilled") == [authorized, partly_paid,
                                                                                     pending]
    assert get(clocked_server, shop, f"{API}/orders/count.json", financial_status="pending").json() == {"count": 1}


@pytest.mark.parametrize(("given", "shown"), [(None, None), ("PARTIAL", "partial"), ("FULFILLED", "fulfilled"),
                                              ("RESTOCKED", "restocked")])
def test_an_orders_fulfillment_status_is_in_shopifys_rest_words(clocked_server: InProcessServer, shop: Shop,
                                                                given: str | None, shown: str | None) -> None:
    number = order(clocked_server, shop, **({"fulfillmentStatus": given} if given else {}))

    found = get(clocked_server, shop, f"{API}/orders/{number}.json").json()["order"]

    assert found["fulfillment_status"] == shown


def test_an_orders_page_info_keeps_the_status_of_the_first_request(clocked_server: InProcessServer,
                                                                     shop: Shop) -> None:
    still_open = order(clocked_server, shop)
    closed = order(clocked_server, shop, closedAt="2025-11-02T00:00:00Z")

    first = get(clocked_server, shop, f"{API}/orders.json", status="any", limit=1, fields="id")
    second = httpx.get(next_link(first) or "", headers={"X-Shopify-Access-Token": shop.access_token or ""})

    assert [o["id"] for o in first.json()["orders"]] == [still_open]
    assert [o["id"] for o in second.json()["orders"]] == [closed]


@pytest.mark.parametrize(("param", "value", "message"), [
    ("status", "archived", "status must be one of open, closed, cancelled, any (got 'archived')."),
    ("financial_status", "unknown", "financial_status must be one of authorized, pending, paid, partially_paid, "
                                    "refunded, voided, partially_refunded, unpaid, any (got 'unknown')."),
    ("fulfillment_status", "done", "fulfillment_status must be one of shipped, partial, unshipped, unfulfilled, "
                                   "any (got 'done')."),
])
def test_an_order_status_shopify_does_not_document_is_a_400_naming_the_ones_it_takes(
        clocked_server: InProcessServer, shop: Shop, param: str, value: str, message: str) -> None:
    listed = get(clocked_server, shop, f"{API}/orders.json", **{param: value})
    counted = get(clocked_server, shop, f"{API}/orders/count.json", **{param: value})

    assert (listed.status_code, listed.json()) == (400, {"errors": {param: message}})
    assert (counted.status_code, counted.json()) == (400, {"errors": {param: message}})


def test_customers_json_counts_and_totals_each_customers_orders(clocked_server: InProcessServer,
                                                                shop: Shop) -> None:
    buyer = customer(clocked_server, shop, "buyer@example.com")
    idle = customer(clocked_server, shop, "idle@example.com")
    order(clocked_server, shop, customerId=f"gid://shopify/Customer/{buyer}", processedAt="2025-11-02T00:00:00Z")
    latest = order(clocked_server, shop, customerId=f"gid://shopify/Customer/{buyer}",
                   processedAt="2025-11-03T00:00:00Z")
    order(clocked_server, shop, customerId=f"gid://shopify/Customer/{buyer}", processedAt="2025-11-01T00:00:00Z")

    listed = get(clocked_server, shop, f"{API}/customers.json",
                 fields="id,orders_count,total_spent,last_order_id,last_order_name").json()["customers"]
    one = get(clocked_server, shop, f"{API}/customers/{buyer}.json").json()["customer"]

    assert listed == [
        {"id": buyer, "orders_count": 3, "total_spent": "30.00", "last_order_id": latest, "last_order_name": "#1002"},
        {"id": idle, "orders_count": 0, "total_spent": "0.00", "last_order_id": None, "last_order_name": None}]
    assert (one["orders_count"], one["last_order_id"]) == (3, latest)


def test_tender_transactions_filter_by_processed_at_and_order_by_it(clocked_server: InProcessServer,
                                                                    shop: Shop) -> None:
    def paid_at(moment: str) -> dict[str, Any]:
        return {"kind": "SALE", "status": "SUCCESS", "gateway": "bogus", "processedAt": moment,
                "amountSet": {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}}}

    early = order(clocked_server, shop, transactions=[paid_at("2025-11-01T10:00:00Z")])
    late = order(clocked_server, shop, transactions=[paid_at("2025-11-01T08:00:00Z")])
    next_day = order(clocked_server, shop, transactions=[paid_at("2025-11-02T09:00:00Z")])

    def tenders(**params: Any) -> list[int]:
        body = get(clocked_server, shop, f"{API}/tender_transactions.json", **params).json()
        return [t["order_id"] for t in body["tender_transactions"]]

    assert tenders(processed_at_min="2025-11-01T09:00:00Z") == [early, next_day]
    assert tenders(processed_at_max="2025-11-01T10:00:00Z") == [early, late]
    assert tenders(processed_at="2025-11-01") == [early, late]
    assert tenders(order="processed_at asc") == [late, early, next_day]
    assert tenders(order="processed_at DESC") == [next_day, early, late]
