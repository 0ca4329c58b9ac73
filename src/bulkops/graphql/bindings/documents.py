"""Types with no table of their own, answered from loaded node documents (domain/documents): a root connection
(``draftOrders``) and a root node (``draftOrder(id:)``) of such a type, and every connection field of such a type
(``DraftOrder.lineItems``), bound wherever the schema has them and nothing else answers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    get_named_type,
)

from bulkops.domain.documents import listing as documents
from bulkops.domain.fields import EMPTY_CONNECTION
from bulkops.domain.paging import read_page
from bulkops.graphql.bindings.common import Window, connection, page_args
from bulkops.graphql.context import ctx
from bulkops.graphql.documents import answered_by_map
from bulkops.protocol.ids import InvalidGlobalId, parse_gid
from bulkops.protocol.mutation_document import connection_node_type, is_connection_type

Resolver = Callable[..., Any]


def _window(first: int | None, after: str | None, last: int | None, before: str | None, reverse: bool,
            sort_key: str | None) -> Window:
    page_args(first, last)
    return Window(first, after, last, before, reverse, sort_key)


def root_connection(type_name: str) -> Resolver:
    """``draftOrders(first:, after:, query:, sortKey:, reverse:)``: the shop's loaded nodes of the type."""

    def resolve(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                last: int | None = None, before: str | None = None, reverse: bool = False,
                sortKey: str | None = None, query: str | None = None, **_other: Any) -> dict[str, Any]:
        context = ctx(info)
        window = _window(first, after, last, before, reverse, sortKey)
        stmt = documents.nodes_of_type(context.conn, context.shop.id, type_name, {"query": query})
        page = read_page(context.conn, stmt, sort=documents.sort_of({"sortKey": sortKey}), id_col=documents.NUMBER,
                         window=window)
        return connection(page, documents.present_node)

    return resolve


def root_node(type_name: str) -> Resolver:
    """``draftOrder(id:)``: the loaded node, or null."""

    def resolve(_: Any, info: GraphQLResolveInfo, id: str, **_other: Any) -> dict[str, Any] | None:
        context = ctx(info)
        try:
            kind, number = parse_gid(id)
        except InvalidGlobalId:
            return None
        return documents.node_of_type(context.conn, context.shop.id, type_name, number) if kind == type_name else None

    return resolve


def child_connection(type_name: str | None) -> Resolver:
    """A connection field of a node kept as a document: the nodes loaded under it, in the file's order."""

    def resolve(source: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                last: int | None = None, before: str | None = None, reverse: bool = False,
                **_other: Any) -> dict[str, Any]:
        context = ctx(info)
        window = _window(first, after, last, before, reverse, None)
        parent = source.get("id") if isinstance(source, dict) else None
        if not isinstance(parent, str):
            return dict(EMPTY_CONNECTION)
        stmt = documents.children_of_node(context.shop.id, parent, type_name)
        return connection(read_page(context.conn, stmt, sort=documents.POSITION, id_col=documents.NUMBER,
                                    window=window), documents.present_node)

    return resolve


def _node_type(field: GraphQLField) -> GraphQLNamedType | None:
    return connection_node_type(get_named_type(field.type))


class DocumentTypes:
    """Binds the fields above on a built schema (after every other binding: only fields nothing answers)."""

    def bind_to_schema(self, schema: GraphQLSchema) -> None:
        query = schema.query_type
        assert query is not None
        for field in query.fields.values():
            if field.resolve is None:
                self._bind_root(field)
        for named in schema.type_map.values():
            if isinstance(named, GraphQLObjectType) and not named.name.startswith("__") and named is not query \
                    and "id" in named.fields:
                self._bind_children(named)

    @staticmethod
    def _bind_children(named: GraphQLObjectType) -> None:
        """The unanswered connections of a type kept as documents, and a stored type's connections to such
        types (``Customer.subscriptionContracts``)."""
        kept_apart = documents.from_documents(named.name)
        for name, field in named.fields.items():
            node = _node_type(field)
            if field.resolve is not None or node is None or not (kept_apart or documents.from_documents(node.name)):
                continue
            if not kept_apart and answered_by_map(named.name, name):
                continue  # the type's own source answers it (an order's discountApplications): one source per field
            field.resolve = child_connection(None if isinstance(node, GraphQLAbstractType) else node.name)

    @staticmethod
    def _bind_root(field: GraphQLField) -> None:
        node = _node_type(field)
        if node is not None and isinstance(node, GraphQLObjectType) and documents.from_documents(node.name):
            field.resolve = root_connection(node.name)
            return
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType) and documents.from_documents(named.name) and "id" in field.args \
                and "id" in named.fields and not is_connection_type(named):
            field.resolve = root_node(named.name)


bindables = [DocumentTypes()]
