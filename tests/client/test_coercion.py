"""The fast per-line check of variables (``bulkops.client.coercion``) answers as graphql-core's coercion does:
it calls no line valid that graphql-core refuses, and the messages are graphql-core's own."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    get_variable_values,
    parse,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkops.client.coercion import VariablesCheck
from bulkops.protocol.check_schema import check_schema
from bulkops.protocol.mutation_document import main_operation

DOCUMENTS = [
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }",
    "mutation($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $strategy: ProductVariantsBulkCreateStrategy "
    "= DEFAULT) { productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: $strategy) "
    "{ userErrors { message } } }",
    "mutation($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { userErrors { message } } }",
    "mutation($input: CollectionInput!) { collectionUpdate(input: $input) { userErrors { message } } }",
]

JUNK = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=5),
                 st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def values(type_: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Mostly values of the type's shape, with a wrong one anywhere now and then."""
    if depth > 3:
        return JUNK
    if isinstance(type_, GraphQLNonNull):
        return st.one_of(values(type_.of_type, depth), JUNK)
    if isinstance(type_, GraphQLList):
        return st.one_of(st.lists(values(type_.of_type, depth + 1), max_size=3), values(type_.of_type, depth + 1))
    if isinstance(type_, GraphQLInputObjectType):
        fields = {name: values(field.type, depth + 1) for name, field in type_.fields.items()}
        shaped = st.fixed_dictionaries({}, optional=fields)
        return st.one_of(shaped, shaped.map(lambda value: {**value, "unknownField": 1}), JUNK)
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(sorted(type_.values)), JUNK)
    by_name = {"String": st.text(max_size=5), "ID": st.one_of(st.text(max_size=5), st.integers()),
               "Int": st.integers(-(2**33), 2**33), "Float": st.floats(), "Boolean": st.booleans()}
    return st.one_of(by_name.get(type_.name, JUNK), JUNK)


def checks() -> list[tuple[GraphQLSchema, VariablesCheck, st.SearchStrategy[dict[str, Any]]]]:
    made = []
    for text in DOCUMENTS:
        document = parse(text)
        schema = check_schema("2026-01", document)
        operation = main_operation(document)
        assert operation is not None
        check = VariablesCheck(schema, operation)
        strategy = st.fixed_dictionaries({}, optional={s.name: values(s.type) for s in check.signatures})
        made.append((schema, check, strategy))
    return made


CHECKS = checks()


def graphql_core_messages(check: VariablesCheck, variables: dict[str, Any]) -> list[str]:
    coerced = get_variable_values(check.schema, check.definitions, variables)
    return [error.message for error in coerced] if isinstance(coerced, list) else []


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.integers(0, len(DOCUMENTS) - 1))
def test_the_fast_check_answers_as_graphql_core(data: st.DataObject, which: int) -> None:
    _, check, strategy = CHECKS[which]
    variables = data.draw(strategy)

    expected = graphql_core_messages(check, variables)

    assert list(check(variables)) == expected
    if check.surely_valid(variables):
        assert expected == []


def test_a_good_line_is_found_good_by_the_fast_walk_alone() -> None:
    """The fast walk is worth having only if a usual good line never needs graphql-core."""
    _, check, _ = CHECKS[0]
    line = {"product": {"title": "Hat", "status": "ACTIVE", "tags": ["wool, warm"], "seo": {"title": "t"},
                        "metafields": [{"namespace": "a", "key": "b", "type": "number_integer", "value": "1"}]}}

    assert check.surely_valid(line)
    assert not check.surely_valid({"product": {**line["product"], "status": "DRAFTY"}})
