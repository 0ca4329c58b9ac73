"""The client checks a document against a schema built from only the part of the SDL the document reaches
(``bulkops.protocol.check_schema``): for that document it must answer exactly as the whole SDL does."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, build_ast_schema, get_variable_values, parse, validate

from bulkops.protocol.check_schema import check_schema
from bulkops.protocol.mutation_document import count_connections, main_operation
from bulkops.protocol.sdl import admin_sdl

DOCUMENTS = [
    # accepted as written
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title } userErrors { field message } } }",
    "mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id email } "
    "userErrors { field message } } }",
    "mutation($input: ProductSetInput!) { productSet(input: $input) { product { id variants(first: 5) "
    "{ edges { node { id } } } } userErrors { message } } }",
    # a field misspelt, a type misspelt, a selection missing, an argument unknown
    "mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { "
    "inventoryAdjustmentGroup { reason changes { name delta } } userErrors { code field message } } }",
    "mutation($product: ProductCreateInput!) { productCreate(product: $product) { product { titel } } }",
    "mutation($product: ProductCreateInptu!) { productCreate(product: $product) { product { id } } }",
    "mutation($product: ProductCreateInput!) { productCreate(product: $product) { product } }",
    "mutation($product: ProductCreateInput!) { productCreate(product: $product, colour: 1) { shop { nam } } }",
    # spreads on interfaces and unions, allowed and not
    "mutation($input: ProductSetInput!) { productSet(input: $input) { product { variants(first: 2) "
    "{ edges { node { ... on Node { id } ... on Collection { title } } } } } } }",
    "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { reference "
    "{ ... on Product { title } ... on Shop { name } } referencedBy: reference { handle } } } }",
    "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { ...owned } } } "
    "fragment owned on HasMetafields { id }",
    # the query root reached from a payload (Job.query)
    "mutation($input: CollectionInput!) { collectionUpdate(input: $input) { job { query "
    "{ product(id: \"gid://shopify/Product/1\") { titel } shop { name } } } } }",
    # a root field the SDL lacks, and a literal of the wrong type
    "mutation { fooCreate(input: {}) { id } }",
    "mutation { productCreate(product: {status: DRAFTY, tags: 3}) { product { id } } }",
]

VARIABLES: list[dict[str, Any]] = [
    {"product": {"title": "Hat", "status": "ACTIVE", "tags": ["wool, warm"]}},
    {"product": {"title": 3, "status": "DRAFTY", "seo": {"titel": "x"}}},
    {"product": {"metafields": [{"namespace": "a", "key": "b", "type": "single_line_text_field"}]}},
    {"input": {"email": ["x"], "addresses": [{"zip": 1}]}},
    {"input": {"title": "T", "productOptions": [{"name": "Size", "values": [{"name": "S"}]}]}},
    {"m": [{"ownerId": "gid://shopify/Product/1", "key": "k", "value": "v"}]},
    {},
]


@pytest.fixture(scope="module", params=[True, False], ids=["modern", "legacy"])
def whole(request: pytest.FixtureRequest) -> tuple[str, GraphQLSchema]:
    version = "2026-01" if request.param else "2025-10"
    return version, build_ast_schema(parse(admin_sdl(request.param)))


def _answers(schema: GraphQLSchema, text: str) -> dict[str, Any]:
    document = parse(text)
    operation = main_operation(document)
    assert operation is not None
    coerced = [get_variable_values(schema, operation.variable_definitions or (), variables) for variables in VARIABLES]
    return {
        "validation": [error.formatted for error in validate(schema, document)],
        "connections": count_connections(schema, document),
        "variables": [[e.message for e in c] if isinstance(c, list) else c.coerced for c in coerced],
        "root_known": schema.mutation_type is not None and operation.selection_set.selections[0].name.value  # type: ignore[attr-defined]
        in schema.mutation_type.fields,
    }


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_documents_part_of_the_sdl_answers_as_the_whole_sdl(whole: tuple[str, GraphQLSchema], text: str) -> None:
    version, schema = whole

    assert _answers(check_schema(version, parse(text)), text) == _answers(schema, text)


def test_the_answers_include_real_problems() -> None:
    """The comparison above is worth something only if the documents do draw errors."""
    version = "2026-01"
    answers = [_answers(check_schema(version, parse(text)), text) for text in DOCUMENTS]

    messages = [m["message"] for a in answers for m in a["validation"]]
    assert "Cannot query field 'titel' on type 'Product'. Did you mean 'title'?" in messages
    assert any(m.startswith("Unknown type 'ProductCreateInptu'. Did you mean 'ProductCreateInput', 'Product") for m in messages)
    assert any(m.endswith("Did you mean to use an inline fragment on 'Collection', 'Metaobject', or 'Product'?")
               for m in messages)
    assert any("can never be of type 'Shop'" in m for m in messages)
    assert any(isinstance(v, list) and v for a in answers for v in a["variables"])
    assert answers[2]["connections"] == 1 and not answers[-2]["root_known"]


def test_a_document_that_did_not_parse_still_gets_a_schema_with_both_roots() -> None:
    schema = check_schema("2026-01", None)

    assert schema.query_type is not None and schema.mutation_type is not None
    assert schema.get_type("ProductCreateInput") is not None
