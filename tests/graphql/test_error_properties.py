"""Whatever is wrong with a document, every error comes in Shopify's envelope and none in graphql-core's words.

Documents are generated against the full schema of both generations: a real root field with its arguments
kept, dropped, renamed or given literals of the wrong kind, selections with unknown fields, leaves given
selections and objects left without, variables declared and not used or used and not declared, fragments
undefined or unused, unknown directives.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkops.graphql.execution import prepare
from bulkops.graphql.schema import schema_for_generation

GRAPHQL_CORE_PHRASES = (
    "Cannot query field", "Unknown argument", "Unknown type", "Unknown directive", "Unknown fragment",
    "was not provided", "Expected value of type", "cannot represent", "is never used", "is not defined by",
    "Syntax Error", "must have a selection of subfields", "must not have a selection", "conflict because",
    "Variable '$", "found ", "not to include unknown field", "Too many validation errors",
)

BAD_LITERALS = ('"text"', "12", "1.5", "true", "null", "NOT_A_VALUE", "[1, 2]", "{bogus: 1}", '"not-a-gid"')


def _literal_for(type_: Any, draw: Any, depth: int = 0) -> str:
    """A literal that is right for ``type_``, or (sometimes) wrong."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(BAD_LITERALS))
    if isinstance(type_, GraphQLNonNull):
        return _literal_for(type_.of_type, draw, depth)
    if isinstance(type_, GraphQLList):
        return f"[{_literal_for(type_.of_type, draw, depth)}]"
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLInputObjectType):
        if depth > 2:
            return "{}"
        names = draw(st.lists(st.sampled_from(sorted(named.fields)), max_size=3, unique=True))
        return "{" + ", ".join(f"{n}: {_literal_for(named.fields[n].type, draw, depth + 1)}" for n in names) + "}"
    return {"Int": "1", "Float": "1.5", "Boolean": "true", "ID": '"gid://shopify/Product/1"'}.get(named.name,
                                                                                                 '"x"')


def _arguments(definition: GraphQLField, draw: Any) -> str:
    kept = draw(st.lists(st.sampled_from(sorted(definition.args)), unique=True)) if definition.args else []
    variables = st.sampled_from(["$undeclared", "$unused"])
    parts = [f"{name}: {draw(variables) if draw(st.integers(0, 3)) == 0 else _literal_for(definition.args[name].type, draw)}"
             for name in kept]
    if draw(st.booleans()):
        parts.append("bogusArgument: 1")
    return f"({', '.join(parts)})" if parts else ""


def _selection(type_: Any, draw: Any, depth: int) -> str:
    named = get_named_type(type_)
    if is_leaf_type(named):
        return " { nothing }" if draw(st.integers(0, 4)) == 0 else ""
    if not isinstance(named, GraphQLObjectType) or depth > 2 or draw(st.integers(0, 6)) == 0:
        return ""  # an object left without selections, or an interface's __typename below
    names = draw(st.lists(st.sampled_from(sorted(named.fields)), min_size=1, max_size=3, unique=True))
    fields = [f"{name}{_selection(named.fields[name].type, draw, depth + 1)}" for name in names]
    if draw(st.booleans()):
        fields.append("definitelyNotAField")
    if draw(st.integers(0, 5)) == 0:
        fields.append("...Missing")
    if draw(st.integers(0, 5)) == 0:
        fields.append("id @notADirective")
    return " { " + " ".join(fields) + " }"


@st.composite
def invalid_documents(draw: Any) -> tuple[GraphQLSchema, str, str]:
    schema = schema_for_generation(draw(st.booleans()))
    keyword = draw(st.sampled_from(["query", "mutation"]))
    root = schema.query_type if keyword == "query" else schema.mutation_type
    assert root is not None
    name = draw(st.sampled_from(sorted(root.fields)))
    definition = root.fields[name]
    operation = draw(st.sampled_from(["", " Generated"]))
    variables = "($unused: String)" if draw(st.booleans()) else ""
    label = f"{keyword}{operation}"
    document = (f"{label}{variables} {{ {name}{_arguments(definition, draw)}"
                f"{_selection(definition.type, draw, 0)} }}")
    if draw(st.integers(0, 4)) == 0:
        document += " fragment Unused on Shop { id }"
    return schema, document, label


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_documents())
def test_every_error_is_in_shopifys_envelope(case: tuple[GraphQLSchema, str, str]) -> None:
    schema, document, label = case
    for error in prepare(schema, document).errors:
        assert isinstance(error["message"], str) and error["message"], error
        assert error["locations"] and all(set(loc) == {"line", "column"} for loc in error["locations"]), error
        assert error["path"] and error["path"][0] in (label, "fragment Unused"), error
        assert isinstance(error["extensions"]["code"], str), error
        leaked = [phrase for phrase in GRAPHQL_CORE_PHRASES if phrase in error["message"]]
        assert not leaked, error
