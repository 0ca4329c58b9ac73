"""publishablePublish, publishableUnpublish and publicationUpdate, and what Product and Collection read back
about where they are published; over HTTP and as bulk lines."""

from __future__ import annotations

from typing import Any

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

CREATE_PRODUCT = """mutation p($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id } userErrors { field message } }
}"""
CREATE_COLLECTION = """mutation c($input: CollectionInput!) {
  collectionCreate(input: $input) { collection { id } userErrors { field message } }
}"""
CHANNELS = """query ch($id: ID!) { product(id: $id) { unpublishedPublications(first: 10) { nodes { id name } } } }"""
PUBLISHABLE = """id publishedAt
  resourcePublicationsCount { count }
  resourcePublications(first: 5) { nodes { isPublished publication { name } } }
  unpublishedPublications(first: 5) { nodes { name } }"""
PUBLISH = f"""mutation publish($id: ID!, $input: [PublicationInput!]!) {{
  publishablePublish(id: $id, input: $input) {{
    publishable {{ ... on Product {{ {PUBLISHABLE} }} ... on Collection {{ id resourcePublicationsCount {{ count }} }} }}
    shop {{ id }} userErrors {{ field message }}
  }}
}}"""
UNPUBLISH = f"""mutation unpublish($id: ID!, $input: [PublicationInput!]!) {{
  publishableUnpublish(id: $id, input: $input) {{
    publishable {{ ... on Product {{ {PUBLISHABLE} }} }} shop {{ id }} userErrors {{ field message }}
  }}
}}"""
PUBLICATION_UPDATE = """mutation pu($id: ID!, $input: PublicationUpdateInput!) {
  publicationUpdate(id: $id, input: $input) {
    publication { id name autoPublish products(first: 10) { nodes { title } } }
    userErrors { field message code }
  }
}"""
ON = """query on($id: ID!, $p: ID!) { product(id: $id) { publishedAt publishedOnPublication(publicationId: $p) } }"""


def gql(client: BulkClient, document: str, **variables: Any) -> dict[str, Any]:
    body = client.graphql(document, variables)
    assert "errors" not in body, body
    return body["data"]


def product(client: BulkClient, title: str = "Board") -> str:
    return gql(client, CREATE_PRODUCT, product={"title": title})["productCreate"]["product"]["id"]


def channels(client: BulkClient, product_id: str) -> dict[str, str]:
    nodes = gql(client, CHANNELS, id=product_id)["product"]["unpublishedPublications"]["nodes"]
    return {n["name"]: n["id"] for n in nodes}


def test_every_shop_has_the_online_store_and_point_of_sale_and_new_products_are_on_neither(
        shop_client: BulkClient) -> None:
    board = product(shop_client)

    assert list(channels(shop_client, board)) == ["Online Store", "Point of Sale"]
    assert channels(shop_client, board) == channels(shop_client, product(shop_client, "Boot"))


def test_publishing_to_the_online_store_sets_publishedAt_and_unpublishing_clears_it(shop_client: BulkClient) -> None:
    board = product(shop_client)
    ids = channels(shop_client, board)

    published = gql(shop_client, PUBLISH, id=board, input=[{"publicationId": ids["Online Store"]},
                                                          {"publicationId": ids["Point of Sale"]}])
    again = gql(shop_client, PUBLISH, id=board, input=[{"publicationId": ids["Online Store"]}])
    unpublished = gql(shop_client, UNPUBLISH, id=board, input=[{"publicationId": ids["Online Store"]}])

    payload = published["publishablePublish"]
    assert payload["userErrors"] == [] and payload["shop"]["id"].startswith("gid://shopify/Shop/")
    assert payload["publishable"]["publishedAt"].endswith("Z")
    assert payload["publishable"]["resourcePublicationsCount"] == {"count": 2}
    assert payload["publishable"]["resourcePublications"]["nodes"] == [
        {"isPublished": True, "publication": {"name": "Online Store"}},
        {"isPublished": True, "publication": {"name": "Point of Sale"}}]
    assert again["publishablePublish"]["publishable"]["publishedAt"] == payload["publishable"]["publishedAt"]
    after = unpublished["publishableUnpublish"]["publishable"]
    assert after["publishedAt"] is None
    assert after["unpublishedPublications"]["nodes"] == [{"name": "Online Store"}]
    assert gql(shop_client, ON, id=board, p=ids["Point of Sale"])["product"] == {
        "publishedAt": None, "publishedOnPublication": True}


def test_collections_publish_too(shop_client: BulkClient) -> None:
    ids = channels(shop_client, product(shop_client))
    collection = gql(shop_client, CREATE_COLLECTION, input={"title": "Sale"})["collectionCreate"]["collection"]["id"]

    result = gql(shop_client, PUBLISH, id=collection, input=[{"publicationId": ids["Online Store"]}])

    assert result["publishablePublish"]["publishable"] == {"id": collection, "resourcePublicationsCount": {"count": 1}}


def test_publishing_to_an_unknown_or_foreign_publication_is_a_user_error(server, shop_client: BulkClient) -> None:  # type: ignore[no-untyped-def]
    other = server.client(server.new_shop())
    foreign = channels(other, product(other))["Online Store"]
    board = product(shop_client)
    channels(shop_client, board)

    result = gql(shop_client, PUBLISH, id=board, input=[{"publicationId": foreign}])
    missing = gql(shop_client, PUBLISH, id="gid://shopify/Product/999999",
                  input=[{"publicationId": foreign}])

    assert result["publishablePublish"]["userErrors"] == [
        {"field": ["input", "0", "publicationId"], "message": "Publication does not exist"}]
    assert gql(shop_client, ON, id=board, p=foreign)["product"]["publishedOnPublication"] is False
    assert missing["publishablePublish"]["userErrors"] == [{"field": ["id"], "message": "Product does not exist"}]
    other.close()


def test_publicationUpdate_adds_and_removes_products_and_sets_autoPublish(shop_client: BulkClient) -> None:
    board, boot = product(shop_client, "Board"), product(shop_client, "Boot")
    store = channels(shop_client, board)["Online Store"]

    added = gql(shop_client, PUBLICATION_UPDATE, id=store, input={"publishablesToAdd": [board, boot],
                                                                  "autoPublish": True})["publicationUpdate"]
    removed = gql(shop_client, PUBLICATION_UPDATE, id=store,
                  input={"publishablesToRemove": [boot]})["publicationUpdate"]
    wax = product(shop_client, "Wax")
    missing = gql(shop_client, PUBLICATION_UPDATE, id="gid://shopify/Publication/999999", input={})
    bad = gql(shop_client, PUBLICATION_UPDATE, id=store, input={"publishablesToAdd": ["gid://shopify/Product/999999"]})

    assert added["userErrors"] == [] and added["publication"]["autoPublish"] is True
    assert [p["title"] for p in added["publication"]["products"]["nodes"]] == ["Board", "Boot"]
    assert [p["title"] for p in removed["publication"]["products"]["nodes"]] == ["Board"]
    assert gql(shop_client, ON, id=wax, p=store)["product"]["publishedOnPublication"] is True
    assert missing["publicationUpdate"]["userErrors"] == [
        {"field": ["id"], "message": "Publication does not exist", "code": "PUBLICATION_NOT_FOUND"}]
    assert bad["publicationUpdate"]["userErrors"][0]["code"] == "INVALID_PUBLISHABLE_ID"


def test_selling_mutations_run_as_bulk_lines(shop_client: BulkClient) -> None:
    board, boot = product(shop_client, "Board"), product(shop_client, "Boot")
    ids = channels(shop_client, board)
    publish = """mutation p($id: ID!, $input: [PublicationInput!]!) { publishablePublish(id: $id, input: $input) {
      publishable { ... on Product { id publishedAt } } userErrors { field message } } }"""
    unpublish = """mutation u($id: ID!, $input: [PublicationInput!]!) { publishableUnpublish(id: $id, input: $input) {
      publishable { ... on Product { id publishedAt } } userErrors { field message } } }"""
    update = """mutation pu($id: ID!, $input: PublicationUpdateInput!) { publicationUpdate(id: $id, input: $input) {
      publication { id } userErrors { field message code } } }"""

    published = run_bulk(shop_client, publish, {"id": board, "input": [{"publicationId": ids["Online Store"]}]},
                         {"id": boot, "input": [{"publicationId": ids["Online Store"]}]})
    unpublished = run_bulk(shop_client, unpublish, {"id": boot, "input": [{"publicationId": ids["Online Store"]}]})
    updated = run_bulk(shop_client, update, {"id": ids["Point of Sale"], "input": {"publishablesToAdd": [boot]}})

    assert published[0]["data"]["publishablePublish"]["publishable"]["publishedAt"] is not None
    assert unpublished[0]["data"]["publishableUnpublish"]["publishable"] == {"id": boot, "publishedAt": None}
    assert updated[0]["data"]["publicationUpdate"]["userErrors"] == []
    assert gql(shop_client, ON, id=boot, p=ids["Point of Sale"])["product"]["publishedOnPublication"] is True
    assert gql(shop_client, ON, id=board, p=ids["Online Store"])["product"]["publishedOnPublication"] is True
