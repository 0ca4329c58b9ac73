"""The executable schemas are Shopify's SDL, whole: built at start-up from the SDL parsed once, without
re-running the SDL rules, so these tests run them."""

from __future__ import annotations

import pytest
from graphql import build_ast_schema, parse, print_ast, print_schema

from bulkops.graphql.schema import schema_for_generation
from bulkops.protocol.sdl import admin_sdl


@pytest.mark.parametrize("modern", [True, False], ids=["2026-01-and-later", "before-2026-01"])
def test_each_generations_sdl_passes_every_sdl_rule_and_is_what_the_server_serves(modern: bool) -> None:
    checked = build_ast_schema(parse(admin_sdl(modern)))
    assert print_schema(schema_for_generation(modern)) == print_schema(checked)


def test_versions_before_2026_01_lack_the_bulk_operation_queries_and_group_objects_by_default() -> None:
    legacy, modern = schema_for_generation(False), schema_for_generation(True)
    assert legacy.query_type is not None and modern.query_type is not None
    assert {"bulkOperation", "bulkOperations"} <= set(modern.query_type.fields)
    assert not {"bulkOperation", "bulkOperations"} & set(legacy.query_type.fields)
    assert legacy.mutation_type is not None and modern.mutation_type is not None
    assert print_ast(legacy.mutation_type.fields["bulkOperationRunQuery"].args["groupObjects"].ast_node) == (
        "groupObjects: Boolean! = true")
    assert print_ast(modern.mutation_type.fields["bulkOperationRunQuery"].args["groupObjects"].ast_node) == (
        "groupObjects: Boolean! = false")
