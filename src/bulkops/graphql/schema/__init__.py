"""The executable schemas: Shopify's SDL (the contract, ``protocol/sdl/``) bound to our resolvers, one per API
generation.

A field of the root types that no resolver binds answers a clear "not implemented" error, never a
silent null; a resolver bound to a field the SDL lacks fails at start-up (Ariadne checks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any, NoReturn

from ariadne import SchemaBindable
from ariadne.enums_default_values import (
    repair_schema_default_enum_values,
    validate_schema_default_enum_values,
)
from graphql import GraphQLObjectType, GraphQLSchema, assert_valid_schema, build_ast_schema

from bulkops.graphql.bindings import (
    bulk,
    bulk_query,
    collections,
    customers,
    documents,
    gift_cards,
    inventory,
    marketing,
    media,
    metafields,
    metaobjects,
    nodes,
    orders,
    price_lists,
    products,
    publications,
    shop,
    staged_uploads,
    store_credit,
    unsupported,
    variants,
    webhooks,
)
from bulkops.protocol.errors import NotImplementedByServer
from bulkops.protocol.sdl import admin_document, is_modern

BINDING_MODULES: tuple[ModuleType, ...] = (
    bulk, staged_uploads, nodes, products, customers, metafields, shop, webhooks, variants, collections,
    publications, bulk_query, metaobjects, gift_cards, price_lists, store_credit, marketing, unsupported, media,
    inventory, orders, documents,
)
"""Every resource's binding module, in binding order (``documents`` last: it answers only what nothing else does)."""


def all_bindables(modern: bool) -> list[Any]:
    """Every bindable; ``modern`` adds those of fields that exist only from 2026-01."""
    found = [bindable for module in BINDING_MODULES for bindable in module.bindables]
    if modern:
        found += [bindable for module in BINDING_MODULES for bindable in getattr(module, "modern_bindables", [])]
    return found



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


_BUILDING = threading.Lock()
"""Held while a schema is built: a request arriving meanwhile waits for that schema instead of building another."""


def schema_for_generation(modern: bool) -> GraphQLSchema:
    with _BUILDING:
        return _built_schema(modern)


def build_schemas_in_background() -> threading.Thread:
    """Build both schemas beside the server's start (about a second of CPU), so the port opens and ``/healthz``
    answers meanwhile; the first GraphQL request waits for them."""
    builder = threading.Thread(target=_build_both, name="schema-builder", daemon=True)
    builder.start()
    return builder


def _build_both() -> None:
    schema_for_generation(True)
    schema_for_generation(False)


@cache
def _built_schema(modern: bool) -> GraphQLSchema:
    """Ariadne's ``make_executable_schema`` on the SDL parsed once (``admin_document``), built without
    re-validating the SDL's definitions (a second of CPU per start; ``tests/graphql/test_schema.py`` builds it
    with every SDL rule)."""
    schema = build_ast_schema(admin_document(modern), assume_valid_sdl=True)
    for bindable in all_bindables(modern):
        assert isinstance(bindable, SchemaBindable)
        bindable.bind_to_schema(schema)
    validate_schema_default_enum_values(schema)
    assert_valid_schema(schema)
    repair_schema_default_enum_values(schema)
    _guard_root(schema)
    return schema


def schema_for_version(version: str) -> GraphQLSchema:
    """2026-01 and later (and ``unstable``) get the modern schema; earlier versions the legacy one."""
    return schema_for_generation(is_modern(version))
