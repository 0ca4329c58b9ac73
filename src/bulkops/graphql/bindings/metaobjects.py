"""Metaobjects: metaobjectDefinitionCreate (an extension), metaobjectUpsert; metaobjects(type:), metaobject,
metaobjectByHandle, metaobjectDefinitionByType, and node loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.metafields.types import REFERENCE_TYPES
from bulkops.domain.metaobjects import listing, rules
from bulkops.domain.metaobjects.fields import (
    METAOBJECT,
    METAOBJECT_FIELD,
    FieldValue,
    Metaobject,
    metaobject_of,
    present_definition,
)
from bulkops.domain.paging import Page, Window
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.nodes import load_node, register
from bulkops.graphql.context import RequestContext, ctx

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
definition_type = ObjectType("MetaobjectDefinition")

def _reference(value: FieldValue) -> Callable[..., dict[str, Any] | None]:
    def reference(info: GraphQLResolveInfo, **_: Any) -> dict[str, Any] | None:
        return load_node(ctx(info), value.value) if value.value and value.type in REFERENCE_TYPES else None

    return reference


present_field = METAOBJECT_FIELD.presenter({"reference": _reference})


def _field(metaobject: Metaobject) -> Callable[..., dict[str, Any] | None]:
    """``field(key:)``: one of its fields."""

    def field(info: GraphQLResolveInfo, key: str) -> dict[str, Any] | None:
        return next((present_field(v) for v in metaobject.values() if v.key == key), None)

    return field


_present = METAOBJECT.presenter({"fields": lambda m: [present_field(v) for v in m.values()], "field": _field})


def present_metaobject(row: Any, definition: Any) -> dict[str, Any]:
    return _present(metaobject_of(row, definition))


@register("Metaobject")
def load_metaobject(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_metaobject(context.conn, context.shop.id, number)
    if row is None:
        return None
    return present_metaobject(row, rules.get_definition(context.conn, context.shop.id, row.definition_id))


@register("MetaobjectDefinition")
def load_definition(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_definition(context.conn, context.shop.id, number)
    return present_definition(row) if row else None


def _definition_spec(data: dict[str, Any]) -> rules.DefinitionSpec:
    access = data.get("access") or {}
    capabilities = {name: dict(value) for name, value in (data.get("capabilities") or {}).items() if value}
    return rules.DefinitionSpec(
        type=data["type"], name=data.get("name"), description=data.get("description"),
        display_name_key=data.get("displayNameKey"),
        access={k: v for k, v in access.items() if v is not None}, capabilities=capabilities,
        field_definitions=[rules.FieldDefinition(
            key=f["key"], type=f["type"], name=f.get("name"), required=bool(f.get("required")),
            description=f.get("description"), validations=[dict(v) for v in f.get("validations") or []],
        ) for f in data.get("fieldDefinitions") or []],
    )


@mutation.field("metaobjectDefinitionCreate")
@guarded(lambda errors: {"metaobjectDefinition": None, "userErrors": errors})
def resolve_definition_create(_: Any, info: GraphQLResolveInfo, definition: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    number = rules.create_definition(context.conn, context.shop.id, _definition_spec(definition), context.now)
    return {"metaobjectDefinition": load_definition(context, number), "userErrors": []}


@mutation.field("metaobjectUpsert")
@guarded(lambda errors: {"metaobject": None, "userErrors": errors})
def resolve_metaobject_upsert(_: Any, info: GraphQLResolveInfo, handle: dict[str, Any],
                              metaobject: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    fields = metaobject.get("fields")
    status = ((metaobject.get("capabilities") or {}).get("publishable") or {}).get("status")
    number = rules.upsert_metaobject(
        context.conn, context.shop.id, handle["type"], handle["handle"], metaobject.get("handle"),
        [(f["key"], f["value"]) for f in fields] if fields is not None else None, status, context.now)
    return {"metaobject": load_metaobject(context, number), "userErrors": []}


def _metaobject_connection(context: RequestContext, page: Page) -> dict[str, Any]:
    """The page's metaobjects, each definition read once."""
    definitions: dict[int, Any] = {}

    def present(row: Any) -> dict[str, Any]:
        if row.definition_id not in definitions:
            definitions[row.definition_id] = rules.get_definition(context.conn, context.shop.id, row.definition_id)
        return present_metaobject(row, definitions[row.definition_id])

    return connection(page, present)


@query.field("metaobjects")
def resolve_metaobjects(_: Any, info: GraphQLResolveInfo, type: str, first: int | None = None,
                        after: str | None = None, last: int | None = None, before: str | None = None,
                        reverse: bool = False, sortKey: str | None = None, query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = listing.metaobjects_page(context.conn, context.shop.id, type, query,
                                    Window(first, after, last, before, reverse, sortKey))
    return _metaobject_connection(context, page)


@query.field("metaobject")
def resolve_metaobject(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "Metaobject")
    return load_metaobject(ctx(info), number) if number else None


@query.field("metaobjectByHandle")
def resolve_metaobject_by_handle(_: Any, info: GraphQLResolveInfo, handle: dict[str, Any]) -> dict[str, Any] | None:
    context = ctx(info)
    row = rules.by_handle(context.conn, context.shop.id, handle["type"], handle["handle"])
    return load_metaobject(context, row.id) if row else None


@query.field("metaobjectDefinitionByType")
def resolve_definition_by_type(_: Any, info: GraphQLResolveInfo, type: str) -> dict[str, Any] | None:
    context = ctx(info)
    row = rules.definition_by_type(context.conn, context.shop.id, type)
    return present_definition(row) if row else None


@definition_type.field("metaobjects")
def resolve_definition_metaobjects(definition: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                                   after: str | None = None, last: int | None = None, before: str | None = None,
                                   reverse: bool = False) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = listing.definition_metaobjects_page(context.conn, context.shop.id, definition["_pk"],
                                               Window(first, after, last, before, reverse))
    return _metaobject_connection(context, page)


@definition_type.field("metaobjectsCount")
def resolve_metaobjects_count(definition: dict[str, Any], info: GraphQLResolveInfo) -> int:
    return listing.metaobjects_count(ctx(info).conn, definition["_pk"])


bindables = [query, mutation, definition_type]
