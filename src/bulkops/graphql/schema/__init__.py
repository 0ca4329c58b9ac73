"""The executable schemas: Shopify's SDL (the contract, ``protocol/sdl/``) bound to our resolvers, one per API
generation.

A field of the root types that no resolver binds answers a clear "not implemented" error, never a
silent null; a resolver bound to a field the SDL lacks fails at start-up (Ariadne checks).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, NoReturn

from ariadne import make_executable_schema
from graphql import GraphQLObjectType, GraphQLSchema

from bulkops.graphql.bindings import all_bindables
from bulkops.protocol.errors import NotImplementedByServer
from bulkops.protocol.sdl import admin_sdl, is_modern


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
    schema = make_executable_schema(admin_sdl(modern), *all_bindables(modern))
    _guard_root(schema)
    return schema


def schema_for_version(version: str) -> GraphQLSchema:
    """2026-01 and later (and ``unstable``) get the modern schema; earlier versions the legacy one."""
    return schema_for_generation(is_modern(version))
