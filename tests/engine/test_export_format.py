"""What a bulk export writes (spec 4.3): one line per node of every connection, connection wrappers flattened,
nested items on their own lines with ``__parentId`` last, keys in selection order, Shopify's escaping."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from bulkops.client import BulkClient
from tests.server import ServerProcess

PRODUCT_SET = ("mutation set($input: ProductSetInput!) { productSet(input: $input) "
               "{ product { id } userErrors { field message } } }")
CUSTOMER_CREATE = ("mutation c($input: CustomerInput!) { customerCreate(input: $input) "
                   "{ customer { id } userErrors { field message } } }")

PRODUCTS_WITH_VARIANTS = """{ products { edges { node {
  id title
  variants { edges { node { id sku price } } }
} } } }"""
PRODUCTS_WITH_METAFIELDS = """{ products { edges { node {
  id handle
  metafields { edges { node { id namespace key value type } } }
} } } }"""
CUSTOMERS = "{ customers { edges { node { __typename id mail: email firstName tags } } } }"
PAGINATION_IGNORED = """{ products(first: 1) { pageInfo { hasNextPage } edges { cursor node {
  id variants(first: 1) { edges { cursor node { id } } }
} } } }"""


def jsonl(objects: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in objects)


def board(n: int, sizes: tuple[str, ...] = ("S", "M", "L")) -> dict[str, Any]:
    """A productSet input: a product with one option, a variant per size and two metafields."""
    return {"input": {
        "title": f"Board {n} / Pro & <Co>",
        "handle": f"board-{n}",
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]}],
        "variants": [{"optionValues": [{"optionName": "Size", "name": s}], "sku": f"B{n}-{s}",
                      "price": f"{10 * n + i}.00"} for i, s in enumerate(sizes)],
        "metafields": [{"namespace": "specs", "key": "flex", "type": "single_line_text_field", "value": f"flex {n}"},
                       {"namespace": "care", "key": "wax", "type": "single_line_text_field", "value": f"wax {n}"}],
    }}


def bulk_import(client: BulkClient, mutation: str, variables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = client.wait(client.run_mutation(mutation, client.stage(jsonl(variables)))["bulkOperation"]["id"])
    assert done["status"] == "COMPLETED"
    return client.results(done["url"])


def export(client: BulkClient, query: str, group_objects: bool = False) -> tuple[dict[str, Any], bytes]:
    started = client.run_query(query, group_objects)
    assert started["userErrors"] == []
    done = client.wait(started["bulkOperation"]["id"])
    assert done["status"] == "COMPLETED", done
    return done, (client.download(done["url"]) if done["url"] else b"")


def lines_of(body: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in body.splitlines()]


@pytest.fixture(scope="module")
def catalog(server: ServerProcess) -> BulkClient:
    """A shop with three boards (three variants and two metafields each) and two customers, imported in bulk."""
    client = server.client(server.new_shop("catalog"))
    bulk_import(client, PRODUCT_SET, [board(1), board(2), board(3)])
    bulk_import(client, CUSTOMER_CREATE, [
        {"input": {"firstName": "Ada", "email": "ada@example.com", "tags": ["vip"]}},
        {"input": {"firstName": "Bo", "email": "bo@example.com"}},
    ])
    return client


def test_products_and_their_variants_are_one_line_each_with_the_parent_id_last(catalog: BulkClient) -> None:
    done, body = export(catalog, PRODUCTS_WITH_VARIANTS)
    lines = lines_of(body)

    products = [line for line in lines if "__parentId" not in line]
    variants = [line for line in lines if "__parentId" in line]
    assert [list(p) for p in products] == [["id", "title"]] * 3
    assert [list(v) for v in variants] == [["id", "sku", "price", "__parentId"]] * 9
    by_parent = {p["id"]: sorted(v["sku"] for v in variants if v["__parentId"] == p["id"]) for p in products}
    assert sorted(by_parent.values()) == [["B1-L", "B1-M", "B1-S"], ["B2-L", "B2-M", "B2-S"],
                                          ["B3-L", "B3-M", "B3-S"]]
    assert done["objectCount"] == "12" and done["rootObjectCount"] == "3"
    assert int(done["fileSize"]) == len(body) and body.endswith(b"\n")


def test_every_child_comes_after_its_parent(catalog: BulkClient) -> None:
    _, body = export(catalog, PRODUCTS_WITH_VARIANTS)

    seen: set[str] = set()
    children = 0
    for line in lines_of(body):
        if "__parentId" in line:
            assert line["__parentId"] in seen
            children += 1
        seen.add(line["id"])
    assert children == 9, "three variants of each of the three boards"


def test_strings_are_escaped_as_shopify_writes_result_files(catalog: BulkClient) -> None:
    _, body = export(catalog, PRODUCTS_WITH_VARIANTS)

    first = body.splitlines()[0]
    assert first.startswith(b'{"id":"gid:\\/\\/shopify\\/Product\\/')
    assert b'"title":"Board 1 \\/ Pro \\u0026 \\u003cCo\\u003e"' in first


def test_products_with_metafields_give_each_metafield_its_line(catalog: BulkClient) -> None:
    _, body = export(catalog, PRODUCTS_WITH_METAFIELDS)
    lines = lines_of(body)

    metafields = [line for line in lines if "__parentId" in line]
    assert len(metafields) == 6
    assert list(metafields[0]) == ["id", "namespace", "key", "value", "type", "__parentId"]
    handles = {line["id"]: line["handle"] for line in lines if "__parentId" not in line}
    assert sorted((handles[m["__parentId"]], m["namespace"], m["value"]) for m in metafields) == [
        ("board-1", "care", "wax 1"), ("board-1", "specs", "flex 1"),
        ("board-2", "care", "wax 2"), ("board-2", "specs", "flex 2"),
        ("board-3", "care", "wax 3"), ("board-3", "specs", "flex 3"),
    ]


def test_customers_export_with_aliases_and_typename_in_selection_order(catalog: BulkClient) -> None:
    _, body = export(catalog, CUSTOMERS)

    assert [line for line in lines_of(body)] == [
        {"__typename": "Customer", "id": lines_of(body)[0]["id"], "mail": "ada@example.com", "firstName": "Ada",
         "tags": ["vip"]},
        {"__typename": "Customer", "id": lines_of(body)[1]["id"], "mail": "bo@example.com", "firstName": "Bo",
         "tags": []},
    ]
    assert [list(line) for line in lines_of(body)] == [["__typename", "id", "mail", "firstName", "tags"]] * 2


def test_group_objects_puts_each_parents_children_directly_under_it(catalog: BulkClient) -> None:
    _, body = export(catalog, PRODUCTS_WITH_VARIANTS, group_objects=True)
    lines = lines_of(body)

    assert ["__parentId" in line for line in lines] == [False, True, True, True] * 3
    for start in range(0, 12, 4):
        assert {line["__parentId"] for line in lines[start + 1:start + 4]} == {lines[start]["id"]}


def test_without_group_objects_the_same_lines_are_written(catalog: BulkClient) -> None:
    _, grouped = export(catalog, PRODUCTS_WITH_VARIANTS, group_objects=True)
    _, ungrouped = export(catalog, PRODUCTS_WITH_VARIANTS, group_objects=False)

    assert sorted(grouped.splitlines()) == sorted(ungrouped.splitlines())
    assert sum("__parentId" in line for line in lines_of(ungrouped)) == 9
    assert grouped.splitlines() != ungrouped.splitlines(), "the same lines, in another order"


def test_first_cursor_and_page_info_play_no_part_in_an_export(catalog: BulkClient) -> None:
    done, body = export(catalog, PAGINATION_IGNORED)
    lines = lines_of(body)

    assert done["rootObjectCount"] == "3" and done["objectCount"] == "12"
    assert all(set(line) <= {"id", "__parentId"} for line in lines)


def test_search_sort_and_reverse_arguments_are_honoured(catalog: BulkClient) -> None:
    query = """{ products(query: "title:Board*", sortKey: TITLE, reverse: true) { edges { node {
      id title variants(sortKey: SKU, reverse: true) { edges { node { sku } } }
    } } } }"""
    _, body = export(catalog, query, group_objects=True)

    order = [line.get("sku") or line["title"] for line in lines_of(body)]
    assert order == ["Board 3 / Pro & <Co>", "B3-S", "B3-M", "B3-L",
                     "Board 2 / Pro & <Co>", "B2-S", "B2-M", "B2-L",
                     "Board 1 / Pro & <Co>", "B1-S", "B1-M", "B1-L"]


def test_field_arguments_of_nested_connections_are_honoured(catalog: BulkClient) -> None:
    query = '{ products { edges { node { id metafields(namespace: "care") { edges { node { key value } } } } } } }'
    _, body = export(catalog, query)

    assert sorted(line["value"] for line in lines_of(body) if "__parentId" in line) == ["wax 1", "wax 2", "wax 3"]


def test_a_query_that_matches_nothing_completes_without_a_file(catalog: BulkClient) -> None:
    done, body = export(catalog, '{ products(query: "title:Nothing*") { edges { node { id } } } }')

    assert done["url"] is None and done["fileSize"] is None
    assert done["objectCount"] == "0" and done["rootObjectCount"] == "0"


def test_fields_with_resolvers_and_arguments_export_what_a_normal_query_answers(catalog: BulkClient) -> None:
    fields = ("id description(truncateAt: 5) variantsCount { count } hasOnlyDefaultVariant "
              "options { name values } seo { title }")
    _, body = export(catalog, f"{{ products {{ edges {{ node {{ {fields} }} }} }} }}")
    exported = lines_of(body)

    answered = catalog.graphql(f"{{ products(first: 10) {{ edges {{ node {{ {fields} }} }} }} }}")
    assert exported == [edge["node"] for edge in answered["data"]["products"]["edges"]]


def test_product_variants_can_be_exported_on_their_own(catalog: BulkClient) -> None:
    done, body = export(catalog, '{ productVariants(query: "sku:B2*") { edges { node { sku product { handle } } } } }')

    assert sorted((line["sku"], line["product"]["handle"]) for line in lines_of(body)) == [
        ("B2-L", "board-2"), ("B2-M", "board-2"), ("B2-S", "board-2")]
    assert done["rootObjectCount"] == "3"


def test_an_export_never_shows_another_shops_data(server: ServerProcess, catalog: BulkClient) -> None:
    stranger = server.client(server.new_shop("stranger"))

    done, _ = export(stranger, PRODUCTS_WITH_VARIANTS)

    assert done["objectCount"] == "0" and done["url"] is None


def test_a_bulk_import_then_a_bulk_export_gives_back_what_was_imported(server: ServerProcess) -> None:
    client = server.client(server.new_shop("roundtrip"))
    imported = [board(n, sizes) for n, sizes in ((7, ("S",)), (8, ("S", "M")), (9, ("XS", "S", "M", "L")))]
    results = bulk_import(client, PRODUCT_SET, imported)
    query = """{ products { edges { node { id title handle
      variants { edges { node { id sku price selectedOptions { name value } } } }
      metafields { edges { node { namespace key type value } } }
    } } } }"""

    _, body = export(client, query)
    lines = lines_of(body)

    ids = [r["data"]["productSet"]["product"]["id"] for r in results]
    exported = []
    for product_id, sent in zip(ids, imported, strict=True):
        product = next(line for line in lines if line["id"] == product_id)
        children = [line for line in lines if line.get("__parentId") == product_id]
        exported.append({"input": {
            "title": product["title"], "handle": product["handle"],
            "productOptions": [{"name": "Size", "values": [{"name": v["selectedOptions"][0]["value"]}
                                                           for v in children if "sku" in v]}],
            "variants": [{"optionValues": [{"optionName": "Size", "name": v["selectedOptions"][0]["value"]}],
                          "sku": v["sku"], "price": v["price"]} for v in children if "sku" in v],
            "metafields": [{"namespace": m["namespace"], "key": m["key"], "type": m["type"], "value": m["value"]}
                           for m in children if "namespace" in m],
        }})
        assert sent["input"]["title"] == product["title"]
    assert exported == imported


PLAIN_PRODUCT_FIELDS = ("id legacyResourceId title handle vendor productType status tags descriptionHtml "
                        "templateSuffix isGiftCard createdAt updatedAt publishedAt")
PLAIN_VARIANT_FIELDS = ("id legacyResourceId title sku price compareAtPrice barcode position taxable "
                        "inventoryQuantity inventoryPolicy createdAt updatedAt")
PLAIN_METAFIELD_FIELDS = "id legacyResourceId namespace key value type createdAt updatedAt"
PLAIN_CUSTOMER_FIELDS = ("id legacyResourceId firstName lastName email phone note tags state verifiedEmail "
                         "taxExempt locale createdAt updatedAt")


@pytest.mark.parametrize(("root", "fields"), [
    ("products", PLAIN_PRODUCT_FIELDS), ("productVariants", PLAIN_VARIANT_FIELDS),
    ("customers", PLAIN_CUSTOMER_FIELDS),
])
def test_plain_fields_read_straight_from_rows_equal_a_normal_query(catalog: BulkClient, root: str,
                                                                  fields: str) -> None:
    _, body = export(catalog, f"{{ {root} {{ edges {{ node {{ __typename {fields} }} }} }} }}")

    answered = catalog.graphql(f"{{ {root}(first: 50) {{ edges {{ node {{ __typename {fields} }} }} }} }}")
    assert lines_of(body) == [edge["node"] for edge in answered["data"][root]["edges"]]


def test_plain_metafield_fields_equal_a_normal_query(catalog: BulkClient) -> None:
    query = f"{{ products {{ edges {{ node {{ id metafields {{ edges {{ node {{ {PLAIN_METAFIELD_FIELDS} }} }} }} }} }} }} }}"
    _, body = export(catalog, query)
    exported = [{k: v for k, v in line.items() if k != "__parentId"} for line in lines_of(body) if "__parentId" in line]

    answered = catalog.graphql(query.replace("products {", "products(first: 50) {")
                               .replace("metafields {", "metafields(first: 10) {"))  # under 1,000 points
    expected = [m["node"] for p in answered["data"]["products"]["edges"] for m in p["node"]["metafields"]["edges"]]
    assert len(exported) == 6, "two metafields of each of the three boards"
    assert exported == expected


COLLECTION_CREATE = ("mutation c($input: CollectionInput!) { collectionCreate(input: $input) "
                     "{ collection { id } userErrors { field message } } }")
COLLECTIONS_WITH_PRODUCTS = """{ collections { edges { node {
  id title
  products { edges { node { id handle } } }
} } } }"""


def test_collections_and_their_products_export_in_the_collections_order(catalog: BulkClient) -> None:
    answered = catalog.graphql("{ products(first: 10) { edges { node { id handle } } } }")
    ids = {e["node"]["handle"]: e["node"]["id"] for e in answered["data"]["products"]["edges"]}
    created = bulk_import(catalog, COLLECTION_CREATE, [
        {"input": {"title": "Pro line", "products": [ids["board-3"], ids["board-1"]]}},
        {"input": {"title": "Everything", "ruleSet": {"appliedDisjunctively": False, "rules": [
            {"column": "TITLE", "relation": "CONTAINS", "condition": "Board"}]}}},
    ])
    assert all(r["data"]["collectionCreate"]["userErrors"] == [] for r in created)

    _, body = export(catalog, COLLECTIONS_WITH_PRODUCTS, group_objects=True)

    lines = lines_of(body)
    assert [line.get("title") or line["handle"] for line in lines] == [
        "Pro line", "board-3", "board-1", "Everything", "board-1", "board-2", "board-3"]
    assert [list(line) for line in lines[:2]] == [["id", "title"], ["id", "handle", "__parentId"]]
    assert {line["__parentId"] for line in lines[1:3]} == {lines[0]["id"]}
