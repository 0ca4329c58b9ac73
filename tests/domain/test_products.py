"""productCreate, productUpdate, productSet, productUpdateMedia and the product(s) queries, over HTTP and as
bulk lines: rows persist, payloads and userErrors have Shopify's shape, and the queries read them back."""

from __future__ import annotations

from typing import Any

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

PRODUCT_FIELDS = """
  id handle title status vendor productType tags publishedAt createdAt updatedAt hasOnlyDefaultVariant
  variantsCount { count precision }
  options { name values optionValues { name hasVariants } }
  variants(first: 10) { nodes { id title sku price position selectedOptions { name value }
                                metafields(first: 5) { nodes { namespace key value } } } }
  metafields(first: 5) { nodes { namespace key type value } }
  collections(first: 5) { nodes { handle } }
"""
CREATE = f"""mutation create($product: ProductCreateInput!) {{
  productCreate(product: $product) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field message }} }}
}}"""
UPDATE = f"""mutation update($product: ProductUpdateInput!) {{
  productUpdate(product: $product) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field message }} }}
}}"""
SET = f"""mutation set($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {{
  productSet(input: $input, identifier: $identifier) {{
    product {{ {PRODUCT_FIELDS} }} productSetOperation {{ id }} userErrors {{ field message code }}
  }}
}}"""
UPDATE_MEDIA = """mutation media($productId: ID!, $media: [UpdateMediaInput!]!) {
  productUpdateMedia(productId: $productId, media: $media) {
    product { id } media { alt } mediaUserErrors { field message code } userErrors { field message }
  }
}"""
CREATE_WITH_MEDIA = """mutation create($product: ProductCreateInput!, $media: [CreateMediaInput!]) {
  productCreate(product: $product, media: $media) { product { id media(first: 5) { nodes { id } } } userErrors { field message } }
}"""
LAMP_PHOTO = {"mediaContentType": "IMAGE", "originalSource": "https://example.com/lamp.png", "alt": "A lamp"}
READ = f"query read($id: ID!) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}"
LIST = """query list($query: String, $sortKey: ProductSortKeys, $reverse: Boolean, $first: Int, $after: String) {
  products(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {
    nodes { title } pageInfo { hasNextPage endCursor }
  }
}"""
BULK_FIELDS = "id handle title vendor variantsCount { count } variants(first: 10) { nodes { id title sku price } }"
BULK_CREATE = f"""mutation create($product: ProductCreateInput!) {{
  productCreate(product: $product) {{ product {{ {BULK_FIELDS} }} userErrors {{ field message }} }}
}}"""
BULK_UPDATE = f"""mutation update($product: ProductUpdateInput!) {{
  productUpdate(product: $product) {{ product {{ {BULK_FIELDS} }} userErrors {{ field message }} }}
}}"""
BULK_SET = f"""mutation set($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {{
  productSet(input: $input, identifier: $identifier) {{ product {{ {BULK_FIELDS} }} userErrors {{ field message code }} }}
}}"""
BULK_READ = f"query read($id: ID!) {{ product(id: $id) {{ {BULK_FIELDS} }} }}"
NEW_COLLECTION = """mutation c($input: CollectionInput!) {
  collectionCreate(input: $input) { collection { id handle } userErrors { field message } }
}"""
SHIRT = {
    "title": "Linen Shirt", "vendor": "Acme", "productType": "Shirts", "tags": ["summer", "linen"],
    "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]},
                       {"name": "Color", "values": [{"name": "White"}, {"name": "Blue"}]}],
    "variants": [
        {"optionValues": [{"optionName": "Size", "name": "S"}, {"optionName": "Color", "name": "White"}],
         "price": "40.00", "sku": "LS-S-W",
         "metafields": [{"namespace": "custom", "key": "fit", "type": "single_line_text_field", "value": "slim"}]},
        {"optionValues": [{"optionName": "Size", "name": "M"}, {"optionName": "Color", "name": "Blue"}],
         "price": "42.00", "sku": "LS-M-B"},
    ],
    "metafields": [{"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "linen"}],
}


def gql(client: BulkClient, document: str, **variables: Any) -> dict[str, Any]:
    body = client.graphql(document, variables)
    assert "errors" not in body, body
    return body["data"]


def new_collection(client: BulkClient, title: str) -> str:
    return gql(client, NEW_COLLECTION, input={"title": title})["collectionCreate"]["collection"]["id"]


def test_productCreate_makes_an_unpublished_product_with_one_default_variant_and_a_unique_handle(
        shop_client: BulkClient) -> None:
    first = gql(shop_client, CREATE, product={"title": "Snow Board"})["productCreate"]
    second = gql(shop_client, CREATE, product={"title": "Snow Board"})["productCreate"]

    assert first["userErrors"] == [] and second["userErrors"] == []
    product = first["product"]
    assert product["handle"] == "snow-board" and second["product"]["handle"] == "snow-board-1"
    assert product["status"] == "ACTIVE" and product["publishedAt"] is None
    assert product["hasOnlyDefaultVariant"] is True
    assert product["variantsCount"] == {"count": 1, "precision": "EXACT"}
    assert [v["title"] for v in product["variants"]["nodes"]] == ["Default Title"]
    assert product["options"] == [{"name": "Title", "values": ["Default Title"],
                                   "optionValues": [{"name": "Default Title", "hasVariants": True}]}]
    assert product["createdAt"].endswith("Z") and product["createdAt"] == product["updatedAt"]
    assert gql(shop_client, READ, id=product["id"])["product"] == product


BULK_CREATE_TAGS = """mutation create($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id tags } userErrors { field message } }
}"""


def test_productCreate_splits_tags_on_commas_over_HTTP_and_in_a_bulk_import_alike(shop_client: BulkClient) -> None:
    coat = {"title": "Coat", "tags": ["wool, warm", "winter", " wool"]}

    direct = gql(shop_client, CREATE, product=coat)["productCreate"]["product"]
    bulk = run_bulk(shop_client, BULK_CREATE_TAGS, {"product": coat}, {"product": coat})

    assert direct["tags"] == ["wool", "warm", "winter"]
    for line in bulk:
        product = line["data"]["productCreate"]["product"]
        assert product["tags"] == ["wool", "warm", "winter"]
        assert gql(shop_client, READ, id=product["id"])["product"]["tags"] == ["wool", "warm", "winter"]


def test_productCreate_with_options_makes_the_first_combination_and_joins_collections(
        shop_client: BulkClient) -> None:
    summer = new_collection(shop_client, "Summer")
    created = gql(shop_client, CREATE, product={
        "title": "Tee", "productOptions": SHIRT["productOptions"], "collectionsToJoin": [summer],
    })["productCreate"]["product"]

    assert [v["title"] for v in created["variants"]["nodes"]] == ["S / White"]
    assert created["options"][0] == {"name": "Size", "values": ["S"], "optionValues": [
        {"name": "S", "hasVariants": True}, {"name": "M", "hasVariants": False}]}
    assert created["collections"]["nodes"] == [{"handle": "summer"}]


def test_productCreate_reports_blank_title_and_duplicate_handle_and_writes_nothing(shop_client: BulkClient) -> None:
    gql(shop_client, CREATE, product={"title": "Kept", "handle": "taken"})

    blank = gql(shop_client, CREATE, product={"title": "  "})["productCreate"]
    taken = gql(shop_client, CREATE, product={"title": "Other", "handle": "taken"})["productCreate"]
    bad_metafield = gql(shop_client, CREATE, product={"title": "Ghost", "metafields": [
        {"namespace": "custom", "key": "n", "type": "number_integer", "value": "1"}]})["productCreate"]

    assert blank == {"product": None, "userErrors": [{"field": ["title"], "message": "Title can't be blank"}]}
    assert taken["userErrors"] == [{"field": ["handle"],
                                    "message": "Handle 'taken' already in use. Please provide a new handle."}]
    assert bad_metafield["product"] is None and bad_metafield["userErrors"][0]["field"][0] == "metafields"
    titles = [n["title"] for n in gql(shop_client, LIST, first=10)["products"]["nodes"]]
    assert titles == ["Kept"]


def test_productUpdate_changes_fields_and_moves_the_product_between_collections(shop_client: BulkClient) -> None:
    summer, winter = new_collection(shop_client, "Summer"), new_collection(shop_client, "Winter")
    product = gql(shop_client, CREATE, product={"title": "Coat", "collectionsToJoin": [summer]})["productCreate"]

    updated = gql(shop_client, UPDATE, product={
        "id": product["product"]["id"], "title": "Warm Coat", "tags": "wool, warm", "redirectNewHandle": True,
        "collectionsToJoin": [winter], "collectionsToLeave": [summer],
    })["productUpdate"]

    assert updated["userErrors"] == []
    assert updated["product"]["title"] == "Warm Coat" and updated["product"]["handle"] == "coat"
    assert updated["product"]["tags"] == ["wool", "warm"]
    assert updated["product"]["collections"]["nodes"] == [{"handle": "winter"}]


def test_productUpdate_of_a_missing_product_or_with_a_blank_title_is_a_user_error(shop_client: BulkClient) -> None:
    product = gql(shop_client, CREATE, product={"title": "Hat"})["productCreate"]["product"]

    missing = gql(shop_client, UPDATE, product={"id": "gid://shopify/Product/999999", "title": "X"})
    blank = gql(shop_client, UPDATE, product={"id": product["id"], "title": ""})

    assert missing["productUpdate"] == {"product": None,
                                        "userErrors": [{"field": ["id"], "message": "Product does not exist"}]}
    assert blank["productUpdate"]["userErrors"] == [{"field": ["title"], "message": "Title can't be blank"}]


def test_productSet_creates_options_variants_metafields_and_collections_in_one_call(shop_client: BulkClient) -> None:
    summer = new_collection(shop_client, "Summer")
    result = gql(shop_client, SET, input={**SHIRT, "collections": [summer]},
                 identifier={"handle": "linen-shirt"})["productSet"]

    assert result["userErrors"] == [] and result["productSetOperation"] is None
    product = result["product"]
    assert product["handle"] == "linen-shirt" and product["variantsCount"]["count"] == 2
    variants = product["variants"]["nodes"]
    assert [(v["title"], v["sku"], v["price"], v["position"]) for v in variants] == [
        ("S / White", "LS-S-W", "40.00", 1), ("M / Blue", "LS-M-B", "42.00", 2)]
    assert variants[0]["metafields"]["nodes"] == [{"namespace": "custom", "key": "fit", "value": "slim"}]
    assert product["metafields"]["nodes"] == [
        {"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "linen"}]
    assert product["collections"]["nodes"] == [{"handle": "summer"}]
    assert gql(shop_client, READ, id=product["id"])["product"] == product


def test_productSet_again_by_handle_keeps_variant_ids_and_replaces_every_list_field(shop_client: BulkClient) -> None:
    summer, winter = new_collection(shop_client, "Summer"), new_collection(shop_client, "Winter")
    first = gql(shop_client, SET, input={**SHIRT, "collections": [summer]},
                identifier={"handle": "linen-shirt"})["productSet"]["product"]

    second = gql(shop_client, SET, identifier={"handle": "linen-shirt"}, input={
        "title": "Linen Shirt", "productOptions": SHIRT["productOptions"], "collections": [winter],
        "variants": [{**SHIRT["variants"][1], "price": "45.00"}],
        "metafields": [{"namespace": "custom", "key": "care", "type": "single_line_text_field", "value": "cold"}],
    })["productSet"]

    assert second["userErrors"] == []
    product = second["product"]
    assert product["id"] == first["id"]
    assert [(v["id"], v["price"]) for v in product["variants"]["nodes"]] == [
        (first["variants"]["nodes"][1]["id"], "45.00")]
    assert [m["key"] for m in product["metafields"]["nodes"]] == ["care"]
    assert product["collections"]["nodes"] == [{"handle": "winter"}]
    assert product["options"][0]["optionValues"] == [{"name": "S", "hasVariants": False},
                                                     {"name": "M", "hasVariants": True}]


def test_productSet_reports_its_errors_with_codes_and_writes_nothing(shop_client: BulkClient) -> None:
    duplicate = {**SHIRT, "variants": [SHIRT["variants"][1], SHIRT["variants"][1]]}

    dup = gql(shop_client, SET, input=duplicate)["productSet"]
    both = gql(shop_client, SET, input={**SHIRT, "id": "gid://shopify/Product/1"},
               identifier={"handle": "x"})["productSet"]
    missing = gql(shop_client, SET, input={"title": "X"}, identifier={"id": "gid://shopify/Product/999999"})

    assert dup == {"product": None, "productSetOperation": None, "userErrors": [{
        "field": ["input", "variants", "1"], "code": "INVALID_VARIANT",
        "message": "The variant 'M / Blue' already exists. Please change at least one option value."}]}
    assert both["userErrors"] == [{"field": ["input", "id"], "code": "ID_NOT_ALLOWED",
                                   "message": "The id field is not allowed if identifier is provided."}]
    assert missing["productSet"]["userErrors"] == [{"field": ["identifier", "id"], "code": "PRODUCT_DOES_NOT_EXIST",
                                                    "message": "Product does not exist"}]
    assert gql(shop_client, LIST, first=5)["products"]["nodes"] == []


def test_productUpdateMedia_changes_the_products_media_and_names_unknown_media_and_products(
        shop_client: BulkClient) -> None:
    product = gql(shop_client, CREATE_WITH_MEDIA, product={"title": "Lamp"}, media=[LAMP_PHOTO])["productCreate"]
    media_id = product["product"]["media"]["nodes"][0]["id"]

    result = gql(shop_client, UPDATE_MEDIA, productId=product["product"]["id"],
                 media=[{"id": media_id, "alt": "A brass lamp"}])["productUpdateMedia"]
    unknown = gql(shop_client, UPDATE_MEDIA, productId=product["product"]["id"],
                  media=[{"id": "gid://shopify/MediaImage/999999", "alt": "A lamp"}])["productUpdateMedia"]
    missing = gql(shop_client, UPDATE_MEDIA, productId="gid://shopify/Product/999999", media=[])

    assert result == {"product": {"id": product["product"]["id"]}, "media": [{"alt": "A brass lamp"}],
                      "mediaUserErrors": [], "userErrors": []}
    assert unknown["product"] == {"id": product["product"]["id"]} and unknown["media"] is None
    assert unknown["mediaUserErrors"] == [{"field": ["media"], "code": "MEDIA_DOES_NOT_EXIST",
                                           "message": "Media id gid://shopify/MediaImage/999999 does not exist"}]
    assert unknown["userErrors"] == [{"field": ["media"],
                                      "message": "Media id gid://shopify/MediaImage/999999 does not exist"}]
    assert missing["productUpdateMedia"]["mediaUserErrors"] == [
        {"field": ["productId"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"}]


def test_products_search_sort_reverse_and_cursor_pages(shop_client: BulkClient) -> None:
    for title, vendor, kind, tags, status in (
        ("Alpha Board", "Acme", "Boards", ["snow"], "ACTIVE"), ("Beta Boot", "Bolt", "Boots", ["snow", "sale"], "DRAFT"),
        ("Gamma Board", "Acme", "Boards", [], "ARCHIVED"), ("Delta Wax", "Bolt", "Care", ["sale"], "ACTIVE"),
    ):
        gql(shop_client, CREATE, product={"title": title, "vendor": vendor, "productType": kind, "tags": tags,
                                          "status": status})

    def titles(**variables: Any) -> list[str]:
        return [n["title"] for n in gql(shop_client, LIST, first=10, **variables)["products"]["nodes"]]

    assert titles(query="vendor:Acme") == ["Alpha Board", "Gamma Board"]
    assert titles(query="tag:sale") == ["Beta Boot", "Delta Wax"]
    assert titles(query="product_type:Boards -status:archived") == ["Alpha Board"]
    assert titles(query="status:draft") == ["Beta Boot"]
    assert titles(query="title:Be*") == ["Beta Boot"]
    assert titles(query="handle:delta-wax") == ["Delta Wax"]
    assert titles(query="vendor:Acme OR tag:sale") == ["Alpha Board", "Beta Boot", "Gamma Board", "Delta Wax"]
    assert titles(query="product_type:Boards status:active OR status:draft") == ["Alpha Board"]
    assert titles(query="created_at:>2000-01-01") == ["Alpha Board", "Beta Boot", "Gamma Board", "Delta Wax"]
    assert titles(sortKey="TITLE") == ["Alpha Board", "Beta Boot", "Delta Wax", "Gamma Board"]
    assert titles(sortKey="TITLE", reverse=True) == ["Gamma Board", "Delta Wax", "Beta Boot", "Alpha Board"]
    first_page = gql(shop_client, LIST, first=3, sortKey="TITLE")["products"]
    rest = gql(shop_client, LIST, first=3, sortKey="TITLE", after=first_page["pageInfo"]["endCursor"])["products"]
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert [n["title"] for n in rest["nodes"]] == ["Gamma Board"] and rest["pageInfo"]["hasNextPage"] is False


def test_nodes_loads_products_and_variants_of_the_callers_shop_only(server, shop_client: BulkClient) -> None:  # type: ignore[no-untyped-def]
    product = gql(shop_client, SET, input=SHIRT)["productSet"]["product"]
    variant = product["variants"]["nodes"][0]["id"]
    other = server.client(server.new_shop())
    query = "query n($ids: [ID!]!) { nodes(ids: $ids) { id ... on ProductVariant { product { id } } } }"

    mine = gql(shop_client, query, ids=[product["id"], variant])["nodes"]
    theirs = gql(other, query, ids=[product["id"], variant])["nodes"]

    assert mine == [{"id": product["id"]}, {"id": variant, "product": {"id": product["id"]}}]
    assert theirs == [None, None]
    other.close()


def test_each_product_mutation_runs_as_a_bulk_line(shop_client: BulkClient) -> None:
    created = run_bulk(shop_client, BULK_CREATE, {"product": {"title": "Bulk One"}}, {"product": {"title": ""}})
    product = created[0]["data"]["productCreate"]["product"]
    updated = run_bulk(shop_client, BULK_UPDATE, {"product": {"id": product["id"], "vendor": "Bulk Co"}})
    set_lines = run_bulk(shop_client, BULK_SET, {"input": SHIRT, "identifier": {"handle": "linen-shirt"}})
    media = run_bulk(shop_client, UPDATE_MEDIA, {"productId": product["id"], "media": [
        {"id": "gid://shopify/MediaImage/999999"}]})

    assert created[1]["data"]["productCreate"]["userErrors"] == [{"field": ["title"],
                                                                  "message": "Title can't be blank"}]
    assert updated[0]["data"]["productUpdate"]["product"]["vendor"] == "Bulk Co"
    shirt = set_lines[0]["data"]["productSet"]["product"]
    assert shirt["variantsCount"]["count"] == 2
    assert gql(shop_client, BULK_READ, id=shirt["id"])["product"] == shirt
    assert media[0]["data"]["productUpdateMedia"]["mediaUserErrors"][0]["code"] == "MEDIA_DOES_NOT_EXIST"
    assert [n["title"] for n in gql(shop_client, LIST, first=5)["products"]["nodes"]] == ["Bulk One", "Linen Shirt"]


STOCK = """query stock($id: ID!) { product(id: $id) { totalInventory hasOutOfStockVariants
  variants(first: 5) { nodes { id metafields(first: 3) { nodes { id key value } } } } } }"""
VARIANT_METAFIELD_BY_ID = """mutation v($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) { userErrors { field message } }
}"""


def stocked(*quantities: int) -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = SHIRT["variants"]  # type: ignore[assignment]
    return [{**variant, "inventoryQuantities": [{"locationId": "gid://shopify/Location/1", "name": "available",
                                                 "quantity": quantity}]}
            for variant, quantity in zip(variants, quantities, strict=True)]


def test_totalInventory_sums_the_variants_and_hasOutOfStockVariants_names_an_empty_one(
        shop_client: BulkClient) -> None:
    sold_out = gql(shop_client, SET, input={**SHIRT, "handle": "half", "variants": stocked(3, 0)})
    stocked_up = gql(shop_client, SET, input={**SHIRT, "handle": "full", "variants": stocked(3, 4)})
    bare = gql(shop_client, CREATE, product={"title": "Bare"})

    half, full, empty = (gql(shop_client, STOCK, id=p["product"]["id"])["product"]
                         for p in (sold_out["productSet"], stocked_up["productSet"], bare["productCreate"]))
    assert (half["totalInventory"], half["hasOutOfStockVariants"]) == (3, True)
    assert (full["totalInventory"], full["hasOutOfStockVariants"]) == (7, False)
    assert (empty["totalInventory"], empty["hasOutOfStockVariants"]) == (0, True)


def test_an_owned_metafield_given_by_id_alone_keeps_its_namespace_and_key(shop_client: BulkClient) -> None:
    product = gql(shop_client, SET, input=SHIRT)["productSet"]["product"]
    variant = gql(shop_client, STOCK, id=product["id"])["product"]["variants"]["nodes"][0]
    fit = variant["metafields"]["nodes"][0]

    changed = gql(shop_client, VARIANT_METAFIELD_BY_ID, productId=product["id"], variants=[
        {"id": variant["id"], "metafields": [{"id": fit["id"], "value": "loose"}]}])

    assert changed["productVariantsBulkUpdate"]["userErrors"] == []
    after = gql(shop_client, STOCK, id=product["id"])["product"]["variants"]["nodes"][0]["metafields"]["nodes"]
    assert after == [{**fit, "value": "loose"}]
