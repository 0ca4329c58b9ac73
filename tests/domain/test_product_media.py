"""Product media over HTTP and as bulk lines: productCreate/productUpdate store their ``media``, the product reads
it back (``media``, ``featuredMedia``, ``mediaCount``, ``node``), and productUpdateMedia edits it with Shopify's
payload and MediaUserError codes. Media is READY as soon as it is stored (this server fetches nothing)."""

from __future__ import annotations

from typing import Any

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

MEDIA_FIELDS = """
  __typename id alt mediaContentType status preview { status image { url } }
  ... on MediaImage { image { url altText } mimeType }
  ... on ExternalVideo { host originUrl embedUrl }
  ... on Video { filename }
"""
PRODUCT_WITH_MEDIA = f"""
  id title mediaCount {{ count precision }} featuredMedia {{ id }}
  media(first: 10) {{ nodes {{ {MEDIA_FIELDS} }} }}
"""
CREATE = f"""mutation create($product: ProductCreateInput!, $media: [CreateMediaInput!]) {{
  productCreate(product: $product, media: $media) {{ product {{ {PRODUCT_WITH_MEDIA} }} userErrors {{ field message }} }}
}}"""
UPDATE = f"""mutation update($product: ProductUpdateInput!, $media: [CreateMediaInput!]) {{
  productUpdate(product: $product, media: $media) {{ product {{ {PRODUCT_WITH_MEDIA} }} userErrors {{ field message }} }}
}}"""
UPDATE_MEDIA = f"""mutation media($productId: ID!, $media: [UpdateMediaInput!]!) {{
  productUpdateMedia(productId: $productId, media: $media) {{
    product {{ id }} media {{ {MEDIA_FIELDS} }} mediaUserErrors {{ field message code }} userErrors {{ field message }}
  }}
}}"""
READ = f"query read($id: ID!) {{ product(id: $id) {{ {PRODUCT_WITH_MEDIA} }} }}"
NODE = f"query node($id: ID!) {{ node(id: $id) {{ ... on Media {{ {MEDIA_FIELDS} }} }} }}"

PHOTO = {"mediaContentType": "IMAGE", "originalSource": "https://example.com/images/lamp.png", "alt": "A lamp"}
CLIP = {"mediaContentType": "EXTERNAL_VIDEO", "originalSource": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}
FILM = {"mediaContentType": "VIDEO", "originalSource": "https://example.com/videos/lamp-demo.mp4", "alt": "Demo"}
PHOTO_NODE = {
    "__typename": "MediaImage", "alt": "A lamp", "mediaContentType": "IMAGE", "status": "READY",
    "preview": {"status": "READY", "image": {"url": "https://example.com/images/lamp.png"}},
    "image": {"url": "https://example.com/images/lamp.png", "altText": "A lamp"}, "mimeType": "image/png",
}
CLIP_NODE = {
    "__typename": "ExternalVideo", "alt": "", "mediaContentType": "EXTERNAL_VIDEO", "status": "READY",
    "preview": {"status": "READY", "image": None}, "host": "YOUTUBE",
    "originUrl": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "embedUrl": "https://www.youtube.com/embed/dQw4w9WgXcQ",
}
FILM_NODE = {
    "__typename": "Video", "alt": "Demo", "mediaContentType": "VIDEO", "status": "READY",
    "preview": {"status": "READY", "image": None}, "filename": "lamp-demo.mp4",
}


def gql(client: BulkClient, document: str, **variables: Any) -> dict[str, Any]:
    body = client.graphql(document, variables)
    assert "errors" not in body, body
    return body["data"]


def without_ids(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in n.items() if k != "id"} for n in nodes]


def lamp(client: BulkClient, *media: dict[str, Any], title: str = "Lamp") -> dict[str, Any]:
    created = gql(client, CREATE, product={"title": title}, media=list(media))["productCreate"]
    assert created["userErrors"] == []
    return created["product"]


def test_productCreate_stores_its_media_in_order_and_the_product_reads_them_back(shop_client: BulkClient) -> None:
    product = lamp(shop_client, PHOTO, CLIP, FILM)

    nodes = product["media"]["nodes"]
    assert without_ids(nodes) == [PHOTO_NODE, CLIP_NODE, FILM_NODE]
    assert [n["id"].rsplit("/", 1)[0] for n in nodes] == [
        "gid://shopify/MediaImage", "gid://shopify/ExternalVideo", "gid://shopify/Video"]
    assert product["featuredMedia"] == {"id": nodes[0]["id"]}
    assert product["mediaCount"] == {"count": 3, "precision": "EXACT"}
    assert gql(shop_client, READ, id=product["id"])["product"] == product
    assert gql(shop_client, NODE, id=nodes[0]["id"])["node"] == nodes[0]
    assert gql(shop_client, NODE, id=nodes[2]["id"])["node"] == nodes[2]


def test_the_deprecated_images_and_featuredImage_read_only_the_products_image_media(shop_client: BulkClient) -> None:
    product = lamp(shop_client, FILM, PHOTO)
    query = "query i($id: ID!) { product(id: $id) { featuredImage { url } images(first: 5) { nodes { url altText } } } }"

    read = gql(shop_client, query, id=product["id"])["product"]

    assert read["images"]["nodes"] == [{"url": PHOTO["originalSource"], "altText": "A lamp"}]
    assert read["featuredImage"] == {"url": PHOTO["originalSource"]}


def test_a_product_without_media_has_an_empty_media_connection_and_no_featured_media(
        shop_client: BulkClient) -> None:
    product = lamp(shop_client)

    assert product["media"]["nodes"] == [] and product["featuredMedia"] is None
    assert product["mediaCount"] == {"count": 0, "precision": "EXACT"}


def test_productUpdate_appends_its_media_after_the_products_media(shop_client: BulkClient) -> None:
    product = lamp(shop_client, PHOTO)

    updated = gql(shop_client, UPDATE, product={"id": product["id"]}, media=[FILM])["productUpdate"]

    assert updated["userErrors"] == []
    assert without_ids(updated["product"]["media"]["nodes"]) == [PHOTO_NODE, FILM_NODE]
    assert updated["product"]["featuredMedia"] == product["featuredMedia"]


def test_media_whose_originalSource_is_not_a_url_is_a_user_error_and_nothing_is_written(
        shop_client: BulkClient) -> None:
    bad = {"mediaContentType": "IMAGE", "originalSource": "invalid_img"}
    created = gql(shop_client, CREATE, product={"title": "Ghost"}, media=[PHOTO, bad])["productCreate"]
    product = lamp(shop_client, PHOTO)
    updated = gql(shop_client, UPDATE, product={"id": product["id"], "title": "Renamed"},
                  media=[FILM, bad])["productUpdate"]

    assert created == {"product": None, "userErrors": [
        {"field": ["media", "1", "originalSource"], "message": "Image URL is invalid"}]}
    assert updated == {"product": None, "userErrors": [
        {"field": ["media", "1", "originalSource"], "message": "Image URL is invalid"}]}
    after = gql(shop_client, READ, id=product["id"])["product"]
    assert after["title"] == "Lamp" and without_ids(after["media"]["nodes"]) == [PHOTO_NODE]
    titles = gql(shop_client, "{ products(first: 5) { nodes { title } } }")["products"]["nodes"]
    assert titles == [{"title": "Lamp"}]


def test_productUpdateMedia_changes_alt_text_and_the_preview_image(shop_client: BulkClient) -> None:
    product = lamp(shop_client, PHOTO, FILM)
    photo, film = product["media"]["nodes"]

    result = gql(shop_client, UPDATE_MEDIA, productId=product["id"], media=[
        {"id": film["id"], "previewImageSource": "https://example.com/images/poster.jpg"},
        {"id": photo["id"], "alt": "A brass lamp"},
    ])["productUpdateMedia"]

    assert result["mediaUserErrors"] == [] and result["userErrors"] == []
    assert result["product"] == {"id": product["id"]}
    film_after = {**film, "preview": {"status": "READY", "image": {"url": "https://example.com/images/poster.jpg"}}}
    photo_after = {**photo, "alt": "A brass lamp", "image": {"url": PHOTO["originalSource"], "altText": "A brass lamp"}}
    assert result["media"] == [film_after, photo_after]
    assert gql(shop_client, READ, id=product["id"])["product"]["media"]["nodes"] == [photo_after, film_after]


def test_productUpdateMedia_with_unknown_media_or_another_products_media_answers_MEDIA_DOES_NOT_EXIST(
        shop_client: BulkClient) -> None:
    product = lamp(shop_client, PHOTO)
    other = lamp(shop_client, FILM, title="Other")
    mine, theirs = product["media"]["nodes"][0]["id"], other["media"]["nodes"][0]["id"]

    unknown = gql(shop_client, UPDATE_MEDIA, productId=product["id"],
                  media=[{"id": "gid://shopify/MediaImage/999999", "alt": "x"}])["productUpdateMedia"]
    foreign = gql(shop_client, UPDATE_MEDIA, productId=product["id"],
                  media=[{"id": mine, "alt": "changed"}, {"id": theirs, "alt": "x"},
                         {"id": "gid://shopify/Product/1", "alt": "x"}])["productUpdateMedia"]

    assert unknown == {"product": {"id": product["id"]}, "media": None, "mediaUserErrors": [{
        "field": ["media"], "message": "Media id gid://shopify/MediaImage/999999 does not exist",
        "code": "MEDIA_DOES_NOT_EXIST"}], "userErrors": [{
            "field": ["media"], "message": "Media id gid://shopify/MediaImage/999999 does not exist"}]}
    assert foreign["media"] is None and foreign["mediaUserErrors"] == [{
        "field": ["media"], "message": f"Media ids {theirs},gid://shopify/Product/1 do not exist",
        "code": "MEDIA_DOES_NOT_EXIST"}]
    assert gql(shop_client, READ, id=product["id"])["product"]["media"]["nodes"][0]["alt"] == "A lamp"


def test_productUpdateMedia_on_a_missing_product_answers_PRODUCT_DOES_NOT_EXIST(shop_client: BulkClient) -> None:
    result = gql(shop_client, UPDATE_MEDIA, productId="gid://shopify/Product/999999",
                 media=[{"id": "gid://shopify/MediaImage/1", "alt": "x"}])["productUpdateMedia"]

    assert result == {"product": None, "media": None, "mediaUserErrors": [
        {"field": ["productId"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"}],
        "userErrors": [{"field": ["productId"], "message": "Product does not exist"}]}


def test_productUpdateMedia_takes_at_most_250_media(shop_client: BulkClient) -> None:
    product = lamp(shop_client, PHOTO)
    media_id = product["media"]["nodes"][0]["id"]

    body = shop_client.graphql(UPDATE_MEDIA, {"productId": product["id"], "media": [{"id": media_id}] * 251})

    assert body["data"]["productUpdateMedia"] is None
    assert body["errors"][0]["message"] == "The input array size of 251 is greater than the maximum allowed of 250."
    assert body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"


def test_another_shop_can_neither_read_nor_update_a_shops_media(server, shop_client: BulkClient) -> None:  # type: ignore[no-untyped-def]
    product = lamp(shop_client, PHOTO)
    media_id = product["media"]["nodes"][0]["id"]
    other = server.client(server.new_shop())
    own = lamp(other, title="Theirs")

    seen = gql(other, NODE, id=media_id)["node"]
    changed = gql(other, UPDATE_MEDIA, productId=own["id"], media=[{"id": media_id, "alt": "x"}])
    other.close()

    assert seen is None
    assert changed["productUpdateMedia"]["mediaUserErrors"][0]["code"] == "MEDIA_DOES_NOT_EXIST"
    assert gql(shop_client, NODE, id=media_id)["node"]["alt"] == "A lamp"


def test_productCreate_with_media_and_productUpdateMedia_run_as_bulk_lines(shop_client: BulkClient) -> None:
    created = run_bulk(shop_client, CREATE, {"product": {"title": "Bulk Lamp"}, "media": [PHOTO]},
                       {"product": {"title": "Plain"}},
                       {"product": {"title": "Broken"}, "media": [{**PHOTO, "originalSource": "nope"}]})
    product = created[0]["data"]["productCreate"]["product"]
    media_id = product["media"]["nodes"][0]["id"]

    updated = run_bulk(shop_client, UPDATE_MEDIA,
                       {"productId": product["id"], "media": [{"id": media_id, "alt": "Bulk alt"}]},
                       {"productId": product["id"], "media": [{"id": "gid://shopify/MediaImage/999999"}]})

    assert without_ids(product["media"]["nodes"]) == [PHOTO_NODE]
    assert created[1]["data"]["productCreate"]["product"]["mediaCount"]["count"] == 0
    assert created[2]["data"]["productCreate"]["userErrors"] == [
        {"field": ["media", "0", "originalSource"], "message": "Image URL is invalid"}]
    assert updated[0]["data"]["productUpdateMedia"]["media"][0]["alt"] == "Bulk alt"
    assert updated[1]["data"]["productUpdateMedia"]["mediaUserErrors"] == [{
        "field": ["media"], "message": "Media id gid://shopify/MediaImage/999999 does not exist",
        "code": "MEDIA_DOES_NOT_EXIST"}]
    assert gql(shop_client, NODE, id=media_id)["node"]["alt"] == "Bulk alt"
