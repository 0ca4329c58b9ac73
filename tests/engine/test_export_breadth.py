"""Fields and connections data connectors export that Shopify has (spec 7): a product's media and images (with
the media's metafields, two connections below the top), a variant's inventory levels under its inventory item
and its presentment prices, price ranges, option value ids and swatches, weights. Over HTTP, one export each."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bulkops.client import BulkClient
from bulkops.testing import InProcessServer
from tests.engine.test_export_format import PRODUCT_SET, board, bulk_import, export, lines_of

CREATE_WITH_MEDIA = """mutation create($product: ProductCreateInput!, $media: [CreateMediaInput!]) {
  productCreate(product: $product, media: $media) { product { id } userErrors { field message } } }"""
PHOTO = {"mediaContentType": "IMAGE", "originalSource": "https://example.com/images/lamp.png", "alt": "A lamp"}
CLIP = {"mediaContentType": "EXTERNAL_VIDEO", "originalSource": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}


@pytest.fixture(scope="module")
def shop(clocked_server: InProcessServer) -> BulkClient:
    """Board 1 (sizes S and M; S compared at 99.00 and weighing 1.5 kg) and a lamp with a photo and a video."""
    client = clocked_server.client(clocked_server.new_shop("breadth"))
    first = board(1, sizes=("S", "M"))
    first["input"]["variants"][0]["compareAtPrice"] = "99.00"
    first["input"]["variants"][0]["inventoryItem"] = {"measurement": {"weight": {"value": 1.5, "unit": "KILOGRAMS"}}}
    bulk_import(client, PRODUCT_SET, [first])
    bulk_import(client, CREATE_WITH_MEDIA, [{"product": {"title": "Lamp"}, "media": [PHOTO, CLIP]}])
    return client


def exported(client: BulkClient, query: str) -> list[dict[str, Any]]:
    return lines_of(export(client, query)[1])


def test_media_with_their_metafields_and_images(shop: BulkClient) -> None:
    lines = exported(shop, """{ products(query: "title:Lamp") { edges { node { id
      media { edges { node { __typename id alt ... on MediaImage { image { url }
        metafields { edges { node { id } } } } ... on ExternalVideo { embedUrl } } } }
      images { edges { node { id url altText } } } } } } }""")
    product, photo, video, image = lines

    assert [photo["__typename"], video["__typename"]] == ["MediaImage", "ExternalVideo"]
    assert photo["image"] == {"url": PHOTO["originalSource"]} and photo["alt"] == "A lamp"
    assert video["embedUrl"] == "https://www.youtube.com/embed/dQw4w9WgXcQ"
    assert re.fullmatch(r"gid://shopify/ProductImage/\d+", image["id"])
    assert (image["url"], image["altText"]) == (PHOTO["originalSource"], "A lamp")
    assert {line["__parentId"] for line in (photo, video, image)} == {product["id"]}


def test_inventory_levels_under_the_inventory_item_and_presentment_prices(shop: BulkClient) -> None:
    """``products → variants → inventoryLevels``: two connections below the top one."""
    lines = exported(shop, """{ products(query: "handle:board-1") { edges { node { id variants { edges { node { id
      inventoryItem { id measurement { weight { unit value } }
        inventoryLevels { edges { node { id quantities(names: ["available", "on_hand"]) { name quantity }
          location { id } } } } }
      presentmentPrices { edges { node { price { amount currencyCode } compareAtPrice { amount } } } }
      } } } } } } }""")
    _product, variant, _medium, level, _level_m, prices, _prices_m = lines

    assert variant["inventoryItem"] == {"id": variant["id"].replace("ProductVariant", "InventoryItem"),
                                        "measurement": {"weight": {"unit": "KILOGRAMS", "value": 1.5}}}
    assert level["quantities"] == [{"name": "available", "quantity": 0}, {"name": "on_hand", "quantity": 0}]
    assert level["id"].startswith("gid://shopify/InventoryLevel/") and level["location"]["id"]
    assert prices == {"price": {"amount": "10.0", "currencyCode": "USD"}, "compareAtPrice": {"amount": "99.0"},
                      "__parentId": variant["id"]}
    assert level["__parentId"] == variant["id"]


def test_price_ranges_and_option_values(shop: BulkClient) -> None:
    lines = exported(shop, """{ products(query: "handle:board-1") { edges { node { id storefrontId
      priceRangeV2 { minVariantPrice { amount currencyCode } maxVariantPrice { amount } }
      compareAtPriceRange { maxVariantCompareAtPrice { amount } }
      options { name optionValues { id name swatch { color } } }
      variants { edges { node { id selectedOptions { optionValue { id name } } } } } } } } }""")
    product, small, medium = lines
    values = product["options"][0]["optionValues"]

    assert product["priceRangeV2"] == {"minVariantPrice": {"amount": "10.0", "currencyCode": "USD"},
                                       "maxVariantPrice": {"amount": "11.0"}}
    assert product["compareAtPriceRange"] == {"maxVariantCompareAtPrice": {"amount": "99.0"}}
    assert [(v["name"], v["swatch"]) for v in values] == [("S", None), ("M", None)]
    assert [small["selectedOptions"][0]["optionValue"], medium["selectedOptions"][0]["optionValue"]] == [
        {"id": v["id"], "name": v["name"]} for v in values]
    assert all(re.fullmatch(r"gid://shopify/ProductOptionValue/\d+", v["id"]) for v in values)
    assert product["storefrontId"] == product["id"]


def test_a_default_cursor_continues_after_its_node(shop: BulkClient) -> None:
    answered = shop.graphql("{ products(first: 2) { nodes { id defaultCursor } } }")["data"]["products"]["nodes"]

    after = shop.graphql(f'{{ products(first: 1, after: "{answered[0]["defaultCursor"]}") {{ nodes {{ id }} }} }}')

    assert after["data"]["products"]["nodes"] == [{"id": answered[1]["id"]}]
