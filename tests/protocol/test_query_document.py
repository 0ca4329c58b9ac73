"""How a bulk query's connections are counted (spec 4.2, 7): the top-level connection is not nested, so two
connections below it are allowed ("a maximum nesting depth of two levels") and a fourth chained one is not."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, build_ast_schema, parse

from bulkops.protocol.query_document import TOO_DEEP, check_bulk_query
from bulkops.protocol.sdl import admin_sdl


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_ast_schema(parse(admin_sdl(modern=True)))


def messages(schema: GraphQLSchema, query: str) -> list[str]:
    return [error.message for error in check_bulk_query(query, schema)]


@pytest.mark.parametrize("query", [
    "{ products { edges { node { id media { edges { node { id "
    "... on MediaImage { metafields { edges { node { key } } } } } } } } } } }",
    "{ products { edges { node { id variants { edges { node { id "
    "inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }",
    "{ collections { edges { node { id products { edges { node { id "
    "variants { edges { node { id } } } } } } } } } }",
])
def test_two_connections_below_the_top_level_one_are_allowed(schema: GraphQLSchema, query: str) -> None:
    assert messages(schema, query) == []


def test_four_chained_connections_are_too_deep(schema: GraphQLSchema) -> None:
    query = ("{ collections { edges { node { id products { edges { node { id variants { edges { node { id "
             "metafields { edges { node { id } } } } } } } } } } } } }")

    assert messages(schema, query) == [TOO_DEEP]
