"""The executable schemas: Shopify's SDL (the contract) bound to our resolvers, one per API generation.

A field of the root types that no resolver binds answers a clear "not implemented" error, never a
silent null; a resolver bound to a field the SDL lacks fails at start-up (Ariadne checks).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from ariadne import make_executable_schema
from graphql import GraphQLObjectType, GraphQLSchema

from bulkops.graphql.bindings import all_bindables
from bulkops.protocol.errors import NotImplementedByServer

_HERE = Path(__file__).parent

_LEGACY_EDITS = (
    ("  bulkOperation(id: ID!): BulkOperation\n", ""),
    (
        "  bulkOperations(after: String, before: String, first: Int, last: Int, query: String, reverse: Boolean = "
        "false, sortKey: BulkOperationsSortKeys = CREATED_AT): BulkOperationConnection!\n",
        "",
    ),
    ("bulkOperationRunQuery(groupObjects: Boolean! = false,", "bulkOperationRunQuery(groupObjects: Boolean! = true,"),
    (
        'groupObjects: Boolean = true @deprecated(reason: "This argument has no effect on output order.")',
        "groupObjects: Boolean! = true",
    ),
)


def _sdl(modern: bool) -> str:
    text = (_HERE / "admin.graphql").read_text()
    if not modern:
        for old, new in _LEGACY_EDITS:
            if old not in text:
                raise RuntimeError(f"schema edit for versions before 2026-01 no longer applies: {old[:60]!r}")
            text = text.replace(old, new, 1)
    return text + "\n" + (_HERE / "extensions.graphql").read_text()


def _unimplemented(type_name: str, field_name: str) -> Callable[..., NoReturn]:
    def resolve(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise NotImplementedByServer(field_name)

    return resolve


def _guard_root(schema: GraphQLSchema) -> None:
    for root in (schema.query_type, schema.mutation_type):
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            if field.resolve is None:
                field.resolve = _unimplemented(root.name, name)


@cache
def schema_for_generation(modern: bool) -> GraphQLSchema:
    schema = make_executable_schema(_sdl(modern), *all_bindables(modern))
    _guard_root(schema)
    return schema


def schema_for_version(version: str) -> GraphQLSchema:
    """2026-01 and later (and ``unstable``) get the modern schema; earlier versions the legacy one."""
    return schema_for_generation(version >= "2026-01")
