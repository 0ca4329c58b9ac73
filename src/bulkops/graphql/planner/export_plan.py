"""A validated bulk query compiled into an export plan: its connections as batched SQL listings
(export_sources.py) and, for each, a shaper that writes exactly the selected fields in selection order, with
aliases and ``__typename``.

Two ways to shape a row, same output:
* the fast path reads the presenter's dict (the one the normal resolvers return) field by field, serializing
  leaves with the schema's own scalars; no graphql-core per row;
* the exact path runs graphql-core over the whole batch of presenter dicts (one ``execute`` per batch), for
  fields that need a resolver, take arguments the presenter answers with a callable, or are abstract. A
  connection switches to it the first time the fast path meets something it cannot answer exactly.

What cannot be exported (a connection with no listing here, a connection under a plain object, several
top-level fields) is refused when the operation is created, with a message naming it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from sqlalchemy import Connection

from bulkops.db.pagination import after_row, keyset_order
from bulkops.domain.documents.rules import documents_of, has_documents
from bulkops.domain.shops.rules import shop_by_id
from bulkops.engine.exporter import PlanFactory, Row
from bulkops.engine.operations import Operation
from bulkops.engine.runtime import Runtime
from bulkops.graphql.context import RequestContext
from bulkops.graphql.defaults import default_resolver, snake
from bulkops.graphql.errors import format_error
from bulkops.graphql.planner.export_columns import DriverConnection, Field, row_reader
from bulkops.graphql.planner.export_sources import (
    WITHIN_OBJECTS,
    Direct,
    Listing,
    document_fields,
    refused_field,
    source_for,
)
from bulkops.protocol.mutation_document import (
    connection_node_type,
    is_connection_type,
    main_operation,
    parse_document,
)
from bulkops.protocol.query_document import field_definition, fragments_of, iter_fields

IN_BATCH = 500
"""Parent keys per ``IN (…)`` when reading a nested connection (well under every driver's limit)."""

ContextFor = Callable[[Connection], RequestContext]


class UnsupportedExport(Exception):
    """The query is valid for Shopify but this server cannot export it (said when the operation is created)."""


class ExportFieldError(RuntimeError):
    """graphql-core answered a field with an error while shaping a batch: the operation fails, keeping what it
    wrote so far as partial data."""


class _FastMiss(Exception):
    pass


# ---- the selection of one node, fragments flattened ------------------------------------------------
def applies(schema: GraphQLSchema, on_type: GraphQLNamedType, node_type: GraphQLObjectType) -> bool:
    if on_type is node_type or on_type.name == node_type.name:
        return True
    return isinstance(on_type, GraphQLAbstractType) and schema.is_sub_type(on_type, node_type)


def grouped_fields(schema: GraphQLSchema, selection_sets: list[SelectionSetNode | None], node_type: GraphQLObjectType,
                   fragments: dict[str, FragmentDefinitionNode]) -> dict[str, list[FieldNode]]:
    """Response key -> the field nodes selecting it on ``node_type``, in first-selection order."""
    grouped: dict[str, list[FieldNode]] = {}
    for selection_set in selection_sets:
        for node, on_type in iter_fields(selection_set, node_type, fragments, schema):
            if applies(schema, on_type, node_type):
                key = node.alias.value if node.alias else node.name.value
                grouped.setdefault(key, []).append(node)
    return grouped


def _field_type(node_type: GraphQLObjectType, name: str) -> GraphQLField | None:
    return node_type.fields.get(name)


# ---- the fast path ----------------------------------------------------------------------------------
@dataclass
class FieldSpec:
    key: str
    name: str
    snake_name: str
    non_null: bool
    is_list: bool
    serialize: Callable[[Any], Any] | None
    sub: list[FieldSpec] | None
    typename: str | None = None


def _wrapping(field_type: Any) -> tuple[bool, bool]:
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if non_null else field_type
    return non_null, isinstance(inner, GraphQLList)


def compile_specs(schema: GraphQLSchema, node_type: GraphQLObjectType, grouped: dict[str, list[FieldNode]],
                  fragments: dict[str, FragmentDefinitionNode]) -> list[FieldSpec] | None:
    """The fast shaper's plan, or None when some field needs graphql-core (a resolver, an abstract type,
    a directive)."""
    specs: list[FieldSpec] = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if any(n.directives for n in nodes):
            return None
        if name == "__typename":
            specs.append(FieldSpec(key, name, name, True, False, None, None, node_type.name))
            continue
        definition = _field_type(node_type, name)
        if definition is None or definition.resolve is not None:
            return None
        non_null, is_list = _wrapping(definition.type)
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            specs.append(FieldSpec(key, name, snake(name), non_null, is_list, named.serialize, None))
            continue
        if not isinstance(named, GraphQLObjectType):
            return None
        sub = compile_specs(schema, named, grouped_fields(schema, [n.selection_set for n in nodes], named, fragments),
                            fragments)
        if sub is None:
            return None
        specs.append(FieldSpec(key, name, snake(name), non_null, is_list, None, sub))
    return specs


_MISSING = object()


def fast_shape(specs: list[FieldSpec], source: Any) -> dict[str, Any]:
    """One object, exactly as graphql-core would complete it from the same presenter dict, or _FastMiss."""
    if not isinstance(source, dict):
        raise _FastMiss()
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.typename is not None:
            out[spec.key] = spec.typename
            continue
        value = source.get(spec.name, _MISSING)
        if value is _MISSING:
            value = source.get(spec.snake_name)
        if value is None:
            if spec.non_null and spec.is_list:
                out[spec.key] = []  # the schema's empty value for a list the shop keeps no data for
                continue
            if spec.non_null:
                raise _FastMiss()
            out[spec.key] = None
        elif callable(value):
            raise _FastMiss()
        elif spec.sub is not None:
            out[spec.key] = [fast_shape(spec.sub, v) for v in value] if spec.is_list else fast_shape(spec.sub, value)
        elif (serialize := spec.serialize) is None:
            raise _FastMiss()  # not reached: compile_specs gives every leaf its serializer
        elif spec.is_list:
            out[spec.key] = [serialize(v) for v in value]
        else:
            out[spec.key] = serialize(value)
    return out


def plain_fields(grouped: dict[str, list[FieldNode]], direct: Direct) -> list[Field] | None:
    """When every selected field is a plain column (or ``__typename``): the columns, in selection order."""
    fields: list[Field] = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if any(n.directives or n.arguments for n in nodes):
            return None
        if name == "__typename":
            fields.append((key, None))
        elif name in direct:
            fields.append((key, direct[name]))
        else:
            return None
    return fields


def compile_direct(node_type: GraphQLObjectType, grouped: dict[str, list[FieldNode]],
                   direct: Direct) -> list[tuple[str, Callable[[Row], Any]]] | None:
    """Plain fields read straight from SQLAlchemy rows (the driver path's twin for other databases)."""
    fields = plain_fields(grouped, direct)
    if fields is None:
        return None
    type_name = node_type.name
    return [(key, row_reader(plain, type_name) if plain else lambda _row: type_name) for key, plain in fields]


# ---- the exact path ---------------------------------------------------------------------------------
_WRAPPERS: dict[tuple[int, str], GraphQLSchema] = {}


def objects_schema(schema: GraphQLSchema, node_type: GraphQLObjectType) -> GraphQLSchema:
    """The Admin schema's own types under a root whose one field returns the batch's presenter dicts."""
    key = (id(schema), node_type.name)
    if key not in _WRAPPERS:
        root = GraphQLObjectType("BulkExportObjects", lambda: {
            "objects": GraphQLField(GraphQLList(node_type), resolve=lambda source, _info: source)
        })
        types = [t for name, t in schema.type_map.items() if not name.startswith("__")]
        _WRAPPERS[key] = GraphQLSchema(query=root, types=types, directives=schema.directives)
    return _WRAPPERS[key]


def objects_document(grouped: dict[str, list[FieldNode]], document: DocumentNode) -> DocumentNode:
    selections = tuple(node for nodes in grouped.values() for node in nodes)
    objects = FieldNode(name=NameNode(value="objects"), arguments=(), directives=(),
                        selection_set=SelectionSetNode(selections=selections))
    operation = OperationDefinitionNode(operation=OperationType.QUERY, variable_definitions=(), directives=(),
                                        selection_set=SelectionSetNode(selections=(objects,)))
    fragments = tuple(d for d in document.definitions if isinstance(d, FragmentDefinitionNode))
    return DocumentNode(definitions=(operation, *fragments))


class Shaper:
    """Rows of one connection -> their JSONL objects (the connection's own fields, not nested connections)."""

    def __init__(self, schema: GraphQLSchema, node_type: GraphQLObjectType, grouped: dict[str, list[FieldNode]],
                 document: DocumentNode, present: Callable[[Row], dict[str, Any]], direct: Direct) -> None:
        self.schema = schema
        self.node_type = node_type
        self.present = present
        self.direct = compile_direct(node_type, grouped, direct)
        fragments = fragments_of(document)
        self.specs = compile_specs(schema, node_type, grouped, fragments)
        self.document = objects_document(grouped, document)
        self.context_for: ContextFor | None = None

    @property
    def fast(self) -> bool:
        return self.specs is not None

    def shape(self, conn: Connection, rows: list[Row], documents: list[dict[str, Any] | None] | None = None,
              fill: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
        """The rows' objects; ``fill``: the fields read from each row's loaded ``documents`` where it has them."""
        if self.direct is not None:
            direct = self.direct
            return [{key: read(row) for key, read in direct} for row in rows]
        objects = [self.present(row) for row in rows]
        for found, document in zip(objects, documents or (), strict=False):
            if document:
                found.update((name, document[name]) for name in fill if name in document)
        if self.specs is not None:
            try:
                return [fast_shape(self.specs, o) for o in objects]
            except _FastMiss:
                self.specs = None
            except (GraphQLError, TypeError, ValueError):
                self.specs = None
        return self.exact(conn, objects)

    def exact(self, conn: Connection, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.context_for is None:
            raise RuntimeError("the export plan was not bound to a shop")
        result = execute_sync(objects_schema(self.schema, self.node_type), self.document, root_value=objects,
                              context_value=self.context_for(conn), field_resolver=default_resolver)
        if result.errors:
            error = format_error(result.errors[0])
            raise ExportFieldError(f"{error['message']} (at {error.get('path')})")
        assert result.data is not None
        return result.data["objects"]


class AbstractShaper(Shaper):
    """Rows of an interface's nodes (``Media``): always graphql-core, which reads each presented row's type."""

    def __init__(self, schema: GraphQLSchema, node_type: GraphQLAbstractType, selections: list[Any],
                 document: DocumentNode, present: Callable[[Row], dict[str, Any]]) -> None:
        self.schema = schema
        self.node_type = node_type  # type: ignore[assignment]
        self.present = present
        self.direct = None
        self.specs = None
        self.document = objects_document({"": selections}, document)
        self.context_for = None


# ---- connections ------------------------------------------------------------------------------------
class PlanConnection:
    """One connection of the plan: reads its rows, shapes them, and knows its nested connections."""

    def __init__(self, listing: Listing, shaper: Shaper, children: list[PlanNode], fill: frozenset[str] = frozenset(),
                 shop_id: int = 0) -> None:
        self.listing = listing
        self.shaper = shaper
        self.children = children
        self.fill = fill
        """Selected fields answered from the nodes' loaded documents (domain/documents) where the shop has them."""
        self.shop_id = shop_id
        self._prefix = f"gid://shopify/{listing.type_name}/"

    def key(self, row: Row) -> int:
        return row.id

    def gid(self, row: Row) -> str:
        if self.listing.gid_of is not None:
            return self.listing.gid_of(row)
        return self._prefix + str(row.id)

    def shape(self, conn: Connection, rows: list[Row]) -> list[dict[str, Any]]:
        if not self.fill:
            return self.shaper.shape(conn, rows)
        gids = [self.gid(row) for row in rows]
        found = documents_of(conn, self.shop_id, gids)
        return self.shaper.shape(conn, rows, [found.get(gid) for gid in gids], self.fill)

    def _order(self) -> list[Any]:
        return keyset_order(self.listing.sort, self.listing.id_col, self.listing.descending)

    def children_of(self, conn: Connection, parent_keys: list[int]) -> dict[int, list[Row]]:
        if self.listing.members is not None:
            return self.listing.members(conn, parent_keys)
        assert self.listing.parent is not None
        found: dict[int, list[Row]] = defaultdict(list)
        for start in range(0, len(parent_keys), IN_BATCH):
            part = parent_keys[start:start + IN_BATCH]
            stmt = self.listing.stmt.where(self.listing.parent.in_(part)).order_by(self.listing.parent, *self._order())
            for row in conn.execute(stmt):
                found[row._bulk_parent].append(row)
        return found

    def page(self, conn: Connection, after: Row | None, limit: int) -> list[Row]:
        listing = self.listing
        stmt = listing.stmt
        if after is not None:
            stmt = stmt.where(after_row(listing.sort, listing.id_col, after.id, after._bulk_sort, listing.descending))
        return list(conn.execute(stmt.order_by(*self._order()).limit(limit)))

    def row_by_key(self, conn: Connection, key: int) -> Row | None:
        return conn.execute(self.listing.stmt.where(self.listing.id_col == key)).first()

    def bind(self, context_for: ContextFor) -> PlanNode:
        """Give every shaper the way to build a request context (the exact path runs resolvers)."""
        self.shaper.context_for = context_for
        for child in self.children:
            child.bind(context_for)
        return self


PlanNode = PlanConnection | DriverConnection


# ---- compiling --------------------------------------------------------------------------------------
@dataclass
class _Compiler:
    schema: GraphQLSchema
    document: DocumentNode
    conn: Connection
    shop_id: int
    variables: VariableValues | None
    driver: bool = False
    """Connections of plain columns read through the driver (SQLite only: export_columns.py)."""

    @property
    def fragments(self) -> dict[str, FragmentDefinitionNode]:
        return fragments_of(self.document)

    @cached_property
    def shop_has_documents(self) -> bool:
        """Whether the shop was loaded from an export (else no row has a document to read fields from)."""
        return has_documents(self.conn, self.shop_id)

    def connection(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> PlanNode:
        name = nodes[0].name.value
        definition = parent.fields[name]
        node_named = connection_node_type(get_named_type(definition.type))
        builder = source_for(parent.name, name, node_named.name if node_named else None,
                             isinstance(node_named, GraphQLAbstractType))
        if builder is None:
            where = "top-level connection" if parent is self.schema.query_type else f"connection {parent.name}.{name}"
            raise UnsupportedExport(f"Bulk queries on this server cannot export the {where} '{name}' yet.")
        args = get_argument_values(definition, nodes[0], self.variables)
        listing = builder(self.conn, self.shop_id, args)
        node_type = self.schema.get_type(listing.type_name)
        selections = self._node_selections(nodes, get_named_type(definition.type))
        if isinstance(node_type, GraphQLAbstractType):
            return self._abstract_connection(listing, node_type, selections)
        assert isinstance(node_type, GraphQLObjectType)
        grouped = grouped_fields(self.schema, selections, node_type, self.fragments)
        own: dict[str, list[FieldNode]] = {}
        children: list[PlanNode] = []
        for key, field_nodes in grouped.items():
            field_def = node_type.fields.get(field_nodes[0].name.value)
            named = get_named_type(field_def.type) if field_def else None
            if named is not None and is_connection_type(named):
                children.append(self.connection(node_type, field_nodes))
                continue
            if (node_type.name, field_nodes[0].name.value) in WITHIN_OBJECTS and isinstance(named, GraphQLObjectType):
                field_nodes, inner = self._connections_within(field_nodes, named)
                children += inner
            elif named is not None and not is_leaf_type(named):
                self._no_connection_inside(field_nodes, named)
            own[key] = field_nodes
        self._answered(node_type, own)
        fields = plain_fields(own, listing.direct) if self.driver and listing.members is None else None
        if fields is not None:
            return DriverConnection(listing, fields, children)
        fill = document_fields(node_type.name, [nodes[0].name.value for nodes in own.values()])
        if fill and not self.shop_has_documents:
            fill = frozenset()
        shaper = Shaper(self.schema, node_type, own, self.document, listing.present, listing.direct)
        return PlanConnection(listing, shaper, children, fill, self.shop_id)

    def _node_selections(self, nodes: list[FieldNode], connection: GraphQLNamedType) -> list[SelectionSetNode | None]:
        """The ``edges { node { … } }`` selections of a connection field (``first``, ``cursor``, ``pageInfo``
        play no part in an export)."""
        found: list[SelectionSetNode | None] = []
        for node in nodes:
            for edges, on_type in iter_fields(node.selection_set, connection, self.fragments, self.schema):
                if edges.name.value != "edges":
                    continue
                edge_def = field_definition(on_type, "edges")
                edge_type = get_named_type(edge_def.type) if edge_def else on_type
                for inner, _ in iter_fields(edges.selection_set, edge_type, self.fragments, self.schema):
                    if inner.name.value == "node":
                        found.append(inner.selection_set)
        return found

    def _answered(self, node_type: GraphQLObjectType, own: dict[str, list[FieldNode]]) -> None:
        """Refuse now a non-null field that neither a resolver nor its type's presenter answers (objects within
        included), but a list (answered ``[]``, the schema's empty value, when no document has it): graphql-core
        would fail it on the first row, and a query is run or refused at creation, never failed for that."""
        for field_nodes in own.values():
            name = field_nodes[0].name.value
            definition = node_type.fields.get(name)
            if definition is None:
                continue
            if refused_field(node_type.name, name, definition):
                raise UnsupportedExport(
                    f"Bulk queries on this server cannot export the field '{node_type.name}.{name}' yet.")
            named = get_named_type(definition.type)
            if isinstance(named, GraphQLObjectType) and not is_connection_type(named):
                inner = grouped_fields(self.schema, [n.selection_set for n in field_nodes], named, self.fragments)
                self._answered(named, inner)

    def _abstract_connection(self, listing: Listing, node_type: GraphQLAbstractType,
                             selections: list[SelectionSetNode | None]) -> PlanNode:
        """A connection of an interface's nodes (``Product.media``): the node's selection as written, run by
        graphql-core per batch (each row says its type); connections inside its type conditions
        (``... on MediaImage { metafields }``) are exported as its children."""
        kept: list[Any] = []
        children: list[PlanNode] = []
        for selection_set in selections:
            for selection in selection_set.selections if selection_set else ():
                condition = self._condition(selection)
                if condition is None or not isinstance(selection, InlineFragmentNode):
                    kept.append(selection)
                    continue
                inner, found = self._without_connections(selection.selection_set, condition)
                children += found
                kept.append(InlineFragmentNode(type_condition=selection.type_condition, directives=selection.directives,
                                               selection_set=inner))
        shaper = AbstractShaper(self.schema, node_type, kept, self.document, listing.present)
        return PlanConnection(listing, shaper, children)

    def _condition(self, selection: Any) -> GraphQLObjectType | None:
        """The object type of an inline fragment (``... on MediaImage``), whose connections can be exported."""
        if not isinstance(selection, InlineFragmentNode) or selection.type_condition is None:
            return None
        condition = self.schema.get_type(selection.type_condition.name.value)
        return condition if isinstance(condition, GraphQLObjectType) else None

    def _connections_within(self, nodes: list[FieldNode], object_type: GraphQLObjectType
                            ) -> tuple[list[FieldNode], list[PlanNode]]:
        """An object field of the node (``inventoryItem``) with its connections (``inventoryLevels``) taken out
        as the node's own children; their lines name the node as ``__parentId`` (UNCONFIRMED: the nearest
        enclosing node, as for any nested connection)."""
        kept: list[FieldNode] = []
        children: list[PlanNode] = []
        for node in nodes:
            selection_set, found = self._without_connections(node.selection_set, object_type)
            children += found
            kept.append(FieldNode(alias=node.alias, name=node.name, arguments=node.arguments,
                                  directives=node.directives, selection_set=selection_set))
        return kept, children

    def _without_connections(self, selection_set: SelectionSetNode | None, object_type: GraphQLObjectType
                             ) -> tuple[SelectionSetNode, list[PlanNode]]:
        """The selection set less the connections selected on it directly, and their plans."""
        selections = []
        children: list[PlanNode] = []
        for inner in selection_set.selections if selection_set else ():
            definition = object_type.fields.get(inner.name.value) if isinstance(inner, FieldNode) else None
            if isinstance(inner, FieldNode) and definition is not None and is_connection_type(
                    get_named_type(definition.type)):
                children.append(self.connection(object_type, [inner]))
            else:
                selections.append(inner)
        stripped = SelectionSetNode(selections=tuple(selections))
        self._no_connection_inside([FieldNode(name=NameNode(value=object_type.name), selection_set=stripped)],
                                   object_type)
        return stripped, children

    def _no_connection_inside(self, nodes: list[FieldNode], named: GraphQLNamedType) -> None:
        for selection_set in (n.selection_set for n in nodes):
            for inner, on_type in iter_fields(selection_set, named, self.fragments, self.schema):
                definition = field_definition(on_type, inner.name.value)
                if definition is None:
                    continue
                inner_type = get_named_type(definition.type)
                if is_connection_type(inner_type):
                    raise UnsupportedExport(
                        f"Bulk queries on this server cannot export the connection '{inner.name.value}' inside "
                        f"the object field '{nodes[0].name.value}' yet; select it on a node instead."
                    )
                if not is_leaf_type(inner_type):
                    self._no_connection_inside([inner], inner_type)


def compile_plan(schema: GraphQLSchema, text: str, conn: Connection, shop_id: int, driver: bool = False) -> PlanNode:
    """The plan of a query that passed ``check_bulk_query``; UnsupportedExport when it cannot be exported here.
    ``conn`` answers the search terms that need a lookup (``collection_id:``) when the plan is compiled."""
    document, _ = parse_document(text)
    assert document is not None
    operation = main_operation(document)
    assert operation is not None and schema.query_type is not None
    coerced = get_variable_values(schema, operation.variable_definitions or (), {})
    variables = coerced if not isinstance(coerced, list) else None
    compiler = _Compiler(schema, document, conn, shop_id, variables, driver)
    roots = grouped_fields(schema, [operation.selection_set], schema.query_type, compiler.fragments)
    roots.pop("__typename", None)
    if len(roots) != 1:
        # Shopify's docs say a bulk query has a single top-level field; its refusal is not recorded (UNCONFIRMED).
        raise UnsupportedExport("Bulk queries on this server must select exactly one top-level connection field.")
    nodes = next(iter(roots.values()))
    definition = schema.query_type.fields[nodes[0].name.value]
    if not is_connection_type(get_named_type(definition.type)):
        raise UnsupportedExport(
            f"Bulk queries on this server must have a connection as their top-level field; "
            f"'{nodes[0].name.value}' is not one."
        )
    return compiler.connection(schema.query_type, nodes)


def plan_factory(runtime: Runtime, schema_for: Callable[[str], GraphQLSchema]) -> PlanFactory:
    """The engine's way to turn an export operation into its bound plan: the one compiled at creation when this
    runtime created it (``runtime.kept_plans``), else compiled now."""

    def build(op: Operation) -> PlanNode:
        with runtime.db.read() as conn:
            shop = shop_by_id(conn, op.shop_id)
            plan: PlanNode | None = runtime.kept_plans.take(op.id, op.query)
            if plan is None:
                plan = compile_plan(schema_for(op.api_version), op.query, conn, op.shop_id,
                                    driver=runtime.db.is_sqlite)
        assert shop is not None
        base_url = runtime.settings.background_base_url
        return plan.bind(lambda conn: RequestContext(runtime, shop, conn, op.api_version, base_url, in_bulk=True))

    return build
