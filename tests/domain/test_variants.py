"""productVariantsBulkCreate/Update/Delete/Reorder, over HTTP and as bulk lines."""

from __future__ import annotations

from typing import Any

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

VARIANT = "id title price sku position selectedOptions { name value } inventoryItem { sku tracked }"
PRODUCT = f"id updatedAt options {{ name values }} variants(first: 20) {{ nodes {{ {VARIANT} }} }}"
CREATE_PRODUCT = f"""mutation c($product: ProductCreateInput!) {{
  productCreate(product: $product) {{ product {{ {PRODUCT} }} userErrors {{ field message }} }}
}}"""
BULK_CREATE = f"""mutation create($productId: ID!, $variants: [ProductVariantsBulkInput!]!,
                                  $strategy: ProductVariantsBulkCreateStrategy) {{
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: $strategy) {{
    product {{ {PRODUCT} }} productVariants {{ {VARIANT} }} userErrors {{ field message code }}
  }}
}}"""
BULK_UPDATE = f"""mutation update($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $partial: Boolean) {{
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: $partial) {{
    product {{ {PRODUCT} }} productVariants {{ {VARIANT} metafields(first: 3) {{ nodes {{ key value }} }} }}
    userErrors {{ field message code }}
  }}
}}"""
BULK_DELETE = f"""mutation delete($productId: ID!, $variantsIds: [ID!]!) {{
  productVariantsBulkDelete(productId: $productId, variantsIds: $variantsIds) {{
    product {{ {PRODUCT} }} userErrors {{ field message code }}
  }}
}}"""
BULK_REORDER = f"""mutation reorder($productId: ID!, $positions: [ProductVariantPositionInput!]!) {{
  productVariantsBulkReorder(productId: $productId, positions: $positions) {{
    product {{ {PRODUCT} }} userErrors {{ field message code }}
  }}
}}"""
READ = f"query read($id: ID!) {{ product(id: $id) {{ {PRODUCT} }} }}"
MISSING_PRODUCT = "gid://shopify/Product/999999"


def gql(client: BulkClient, document: str, **variables: Any) -> dict[str, Any]:
    body = client.graphql(document, variables)
    assert "errors" not in body, body
    return body["data"]


def size(value: str, **fields: Any) -> dict[str, Any]:
    return {"optionValues": [{"optionName": "Size", "name": value}], **fields}


def plain_product(client: BulkClient, **fields: Any) -> dict[str, Any]:
    return gql(client, CREATE_PRODUCT, product={"title": "Board", **fields})["productCreate"]["product"]


def sized_product(client: BulkClient) -> dict[str, Any]:
    """A product with sizes S, M, L (variants in that order)."""
    product = plain_product(client, productOptions=[{"name": "Size", "values": [{"name": "S"}]}])
    gql(client, BULK_CREATE, productId=product["id"], variants=[size("M"), size("L")])
    return gql(client, READ, id=product["id"])["product"]


def titles(product: dict[str, Any]) -> list[str]:
    return [v["title"] for v in product["variants"]["nodes"]]


def test_bulk_create_on_a_product_with_only_the_default_variant_makes_its_options_and_drops_the_default(
        shop_client: BulkClient) -> None:
    product = plain_product(shop_client)

    result = gql(shop_client, BULK_CREATE, productId=product["id"], variants=[
        size("S", price="10.00", inventoryItem={"sku": "B-S", "tracked": True}), size("M", price="11.00")])["productVariantsBulkCreate"]

    assert result["userErrors"] == []
    assert [(v["title"], v["price"], v["sku"], v["position"]) for v in result["productVariants"]] == [
        ("S", "10.00", "B-S", 1), ("M", "11.00", None, 2)]
    assert result["productVariants"][0]["inventoryItem"] == {"sku": "B-S", "tracked": True}
    assert result["product"]["options"] == [{"name": "Size", "values": ["S", "M"]}]
    assert titles(gql(shop_client, READ, id=product["id"])["product"]) == ["S", "M"]


def test_bulk_create_strategies_keep_or_remove_the_standalone_variant(shop_client: BulkClient) -> None:
    preserved = plain_product(shop_client)
    custom = plain_product(shop_client, productOptions=[{"name": "Size", "values": [{"name": "S"}]}])
    custom_default = plain_product(shop_client, productOptions=[{"name": "Size", "values": [{"name": "S"}]}])

    kept = gql(shop_client, BULK_CREATE, productId=preserved["id"], variants=[size("M")],
               strategy="PRESERVE_STANDALONE_VARIANT")["productVariantsBulkCreate"]
    removed = gql(shop_client, BULK_CREATE, productId=custom["id"], variants=[size("M")],
                  strategy="REMOVE_STANDALONE_VARIANT")["productVariantsBulkCreate"]
    default = gql(shop_client, BULK_CREATE, productId=custom_default["id"], variants=[size("M")])

    assert titles(kept["product"]) == ["Default Title", "M"]
    assert kept["product"]["variants"]["nodes"][0]["id"] == preserved["variants"]["nodes"][0]["id"]
    assert titles(removed["product"]) == ["M"]
    assert titles(default["productVariantsBulkCreate"]["product"]) == ["S", "M"]


def test_bulk_create_reports_existing_combinations_unknown_options_and_missing_products(
        shop_client: BulkClient) -> None:
    product = sized_product(shop_client)

    existing = gql(shop_client, BULK_CREATE, productId=product["id"], variants=[size("XL"), size("M")])
    unknown = gql(shop_client, BULK_CREATE, productId=product["id"], variants=[
        {"optionValues": [{"optionName": "Color", "name": "Red"}]}])
    missing = gql(shop_client, BULK_CREATE, productId=MISSING_PRODUCT, variants=[size("S")])

    assert existing["productVariantsBulkCreate"] == {"product": None, "productVariants": None, "userErrors": [
        {"field": ["variants", "1"], "message": "The variant 'M' already exists.", "code": "VARIANT_ALREADY_EXISTS"}]}
    assert unknown["productVariantsBulkCreate"]["userErrors"] == [
        {"field": ["variants", "0", "optionValues", "0"], "message": "Option does not exist",
         "code": "INVALID_INPUT"}]
    assert missing["productVariantsBulkCreate"]["userErrors"] == [
        {"field": ["productId"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"}]
    assert titles(gql(shop_client, READ, id=product["id"])["product"]) == ["S", "M", "L"]


def test_bulk_update_changes_prices_skus_options_and_metafields(shop_client: BulkClient) -> None:
    product = sized_product(shop_client)
    small, medium, _ = product["variants"]["nodes"]

    result = gql(shop_client, BULK_UPDATE, productId=product["id"], variants=[
        {"id": small["id"], "price": "9.50", "inventoryItem": {"sku": "NEW-S"},
         "metafields": [{"namespace": "custom", "key": "note", "type": "single_line_text_field", "value": "hi"}]},
        {"id": medium["id"], **size("XL")},
    ])["productVariantsBulkUpdate"]

    assert result["userErrors"] == []
    assert [(v["title"], v["price"], v["sku"]) for v in result["productVariants"]] == [
        ("S", "9.50", "NEW-S"), ("XL", "0.00", None)]
    assert result["productVariants"][0]["metafields"]["nodes"] == [{"key": "note", "value": "hi"}]
    assert titles(result["product"]) == ["S", "XL", "L"]
    assert result["product"]["updatedAt"] >= product["updatedAt"]


def test_bulk_update_is_atomic_unless_partial_updates_are_allowed(shop_client: BulkClient) -> None:
    product = sized_product(shop_client)
    small = product["variants"]["nodes"][0]
    changes = [{"id": small["id"], "price": "1.00"}, {"id": "gid://shopify/ProductVariant/999999", "price": "2.00"}]
    expected_error = {"field": ["variants", "1", "id"], "message": "Product variant does not exist",
                      "code": "PRODUCT_VARIANT_DOES_NOT_EXIST"}

    atomic = gql(shop_client, BULK_UPDATE, productId=product["id"], variants=changes)["productVariantsBulkUpdate"]
    unchanged = gql(shop_client, READ, id=product["id"])["product"]["variants"]["nodes"][0]["price"]
    partial = gql(shop_client, BULK_UPDATE, productId=product["id"], variants=changes,
                  partial=True)["productVariantsBulkUpdate"]

    assert atomic == {"product": None, "productVariants": None, "userErrors": [expected_error]}
    assert unchanged == "0.00"
    assert partial["userErrors"] == [expected_error]
    assert [v["price"] for v in partial["productVariants"]] == ["1.00"]


def test_bulk_update_refuses_inventory_quantities(shop_client: BulkClient) -> None:
    product = sized_product(shop_client)

    result = gql(shop_client, BULK_UPDATE, productId=product["id"], variants=[{
        "id": product["variants"]["nodes"][0]["id"],
        "inventoryQuantities": [{"locationId": "gid://shopify/Location/1", "availableQuantity": 5}]}])

    assert result["productVariantsBulkUpdate"]["userErrors"] == [{
        "field": ["variants", "0", "inventoryQuantities"], "code": "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE",
        "message": "Inventory quantities can only be provided during create. To update inventory for existing "
                   "variants, use inventoryAdjustQuantities."}]


def test_bulk_delete_removes_variants_but_never_the_last_one(shop_client: BulkClient) -> None:
    product = sized_product(shop_client)
    small, medium, large = (v["id"] for v in product["variants"]["nodes"])
    other = sized_product(shop_client)["variants"]["nodes"][0]["id"]

    deleted = gql(shop_client, BULK_DELETE, productId=product["id"], variantsIds=[medium])["productVariantsBulkDelete"]
    foreign = gql(shop_client, BULK_DELETE, productId=product["id"], variantsIds=[small, other])
    last = gql(shop_client, BULK_DELETE, productId=product["id"], variantsIds=[small, large])

    assert deleted["userErrors"] == []
    assert [(v["title"], v["position"]) for v in deleted["product"]["variants"]["nodes"]] == [("S", 1), ("L", 2)]
    assert deleted["product"]["options"] == [{"name": "Size", "values": ["S", "L"]}]
    assert foreign["productVariantsBulkDelete"]["userErrors"][0]["code"] == \
        "AT_LEAST_ONE_VARIANT_DOES_NOT_BELONG_TO_THE_PRODUCT"
    assert last["productVariantsBulkDelete"]["userErrors"] == [
        {"field": ["variantsIds"], "message": "Cannot delete default variant.", "code": "CANNOT_DELETE_LAST_VARIANT"}]
    assert titles(gql(shop_client, READ, id=product["id"])["product"]) == ["S", "L"]


def test_bulk_reorder_moves_variants_to_their_positions(shop_client: BulkClient) -> None:
    product = sized_product(shop_client)
    small, medium, large = (v["id"] for v in product["variants"]["nodes"])

    result = gql(shop_client, BULK_REORDER, productId=product["id"],
                 positions=[{"id": large, "position": 1}, {"id": small, "position": 3}])["productVariantsBulkReorder"]
    invalid = gql(shop_client, BULK_REORDER, productId=product["id"], positions=[
        {"id": medium, "position": 0}, {"id": "gid://shopify/ProductVariant/999999", "position": 1}])

    assert result["userErrors"] == []
    assert [(v["title"], v["position"]) for v in result["product"]["variants"]["nodes"]] == [
        ("L", 1), ("M", 2), ("S", 3)]
    assert invalid["productVariantsBulkReorder"]["userErrors"] == [
        {"field": ["positions", "0", "position"], "code": "INVALID_POSITION",
         "message": "Product variant position cannot be zero or negative number."},
        {"field": ["positions", "1", "id"], "code": "MISSING_VARIANT", "message": "Product variant does not exist."}]


def test_each_variant_mutation_runs_as_a_bulk_line(shop_client: BulkClient) -> None:
    product = plain_product(shop_client)
    one_connection = "product { id } userErrors { field message code }"
    create = f"""mutation c($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {{
      productVariantsBulkCreate(productId: $productId, variants: $variants) {{ productVariants {{ id title }}
        {one_connection} }} }}"""
    update = f"""mutation u($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {{
      productVariantsBulkUpdate(productId: $productId, variants: $variants) {{ productVariants {{ id price }}
        {one_connection} }} }}"""
    reorder = f"""mutation r($productId: ID!, $positions: [ProductVariantPositionInput!]!) {{
      productVariantsBulkReorder(productId: $productId, positions: $positions) {{ {one_connection} }} }}"""
    delete = f"""mutation d($productId: ID!, $variantsIds: [ID!]!) {{
      productVariantsBulkDelete(productId: $productId, variantsIds: $variantsIds) {{ {one_connection} }} }}"""

    created = run_bulk(shop_client, create, {"productId": product["id"], "variants": [size("S"), size("M")]},
                       {"productId": MISSING_PRODUCT, "variants": [size("S")]})
    small, medium = (v["id"] for v in created[0]["data"]["productVariantsBulkCreate"]["productVariants"])
    updated = run_bulk(shop_client, update, {"productId": product["id"], "variants": [{"id": medium, "price": "3.00"}]})
    run_bulk(shop_client, reorder, {"productId": product["id"], "positions": [{"id": medium, "position": 1}]})
    deleted = run_bulk(shop_client, delete, {"productId": product["id"], "variantsIds": [small]})

    assert created[1]["data"]["productVariantsBulkCreate"]["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"
    assert updated[0]["data"]["productVariantsBulkUpdate"]["productVariants"] == [{"id": medium, "price": "3.00"}]
    assert deleted[0]["data"]["productVariantsBulkDelete"]["userErrors"] == []
    final = gql(shop_client, READ, id=product["id"])["product"]["variants"]["nodes"]
    assert [(v["id"], v["price"], v["position"]) for v in final] == [(medium, "3.00", 1)]
