"""``node``/``nodes``: Relay object identification over every type that registers a loader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import InterfaceType, ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.documents import listing as documents
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.defaults import resolve_typename
from bulkops.protocol.errors import RequestError
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

query = ObjectType("QueryRoot")
node_interface = InterfaceType("Node", resolve_typename)

Loader = Callable[[RequestContext, int], dict[str, Any] | None]
LOADERS: dict[str, Loader] = {}


def register(type_name: str) -> Callable[[Loader], Loader]:
    """Make a type reachable through ``node(id:)`` (its loader is scoped to the caller's shop)."""

    def add(loader: Loader) -> Loader:
        LOADERS[type_name] = loader
        return loader

    return add


def load_node(context: RequestContext, raw: str) -> dict[str, Any] | None:
    """The node of a registered type, or a loaded node of a type kept as documents (``Order``); else null."""
    try:
        type_name, number = parse_gid(raw)
    except InvalidGlobalId as exc:
        raise RequestError(str(exc), "argumentLiteralsIncompatible", typeName="CoercionError") from exc
    loader = LOADERS.get(type_name)
    if loader is not None:
        return loader(context, number)
    if not documents.from_documents(type_name):
        return None
    return documents.node_of_type(context.conn, context.shop.id, type_name, number)


@query.field("node")
def resolve_node(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    return load_node(ctx(info), id)


@query.field("nodes")
def resolve_nodes(_: Any, info: GraphQLResolveInfo, ids: list[str]) -> list[dict[str, Any] | None]:
    context = ctx(info)
    return [load_node(context, raw) for raw in ids]


bindables = [query, node_interface]
