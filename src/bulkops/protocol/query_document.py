"""Synchronous checks of a bulk query (``bulkOperationRunQuery``), with Shopify's exact wording (spec 4.2).

Every problem is reported with ``field: ["query"]`` and code ``INVALID``. Document-level problems (size,
syntax, operation type, schema) stop at the first; the structural rules are all collected, in the order
Shopify lists them in a recorded answer (a top-level ``node`` and "at least one connection" together).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
    is_list_type,
    validate,
)
from graphql.type.definition import GraphQLNamedType

from bulkops.protocol.errors import UserError
from bulkops.protocol.mutation_document import (
    MAX_DOCUMENT_BYTES,
    is_connection_type,
    main_operation,
    parse_document,
    ruby_style_syntax_error,
)

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
INVALID = "INVALID"
FIELD = ["query"]

AT_LEAST_ONE = "Bulk queries must contain at least one connection."
TOO_MANY = f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
TOO_DEEP = f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
TOP_LEVEL_NODE = "Bulk queries cannot contain a top level `{name}` field."
"""Recorded for ``node``; the docs forbid ``nodes`` too, with (UNCONFIRMED) the same sentence."""
ONLY_QUERIES = "Invalid operation type. Only `query` operations are supported."
IN_LIST = "Queries that contain a connection field within a list field are not currently supported."
EDGES_NODE = (
    "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: "
    "'{first} {{ edges {{ node {{'. Selecting via 'nodes' is not supported. Invalid connection fields: {names}."
)
PARENT_ID = (
    "The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of "
    "'ID' return type. Connection fields without 'id': {names}."
)


def invalid(message: str) -> UserError:
    return UserError(message, list(FIELD), INVALID)


def field_definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields else None


def iter_fields(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    fragments: dict[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
    """Each field of a selection set with the type it is selected on, fragments flattened in order."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, parent
        elif isinstance(selection, InlineFragmentNode):
            condition = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            yield from iter_fields(selection.selection_set, condition or parent, fragments, schema)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                condition = schema.get_type(fragment.type_condition.name.value)
                yield from iter_fields(fragment.selection_set, condition or parent, fragments, schema)


def selects_plain_id(selection_set: SelectionSetNode | None, parent: GraphQLNamedType,
                     fragments: dict[str, FragmentDefinitionNode], schema: GraphQLSchema) -> bool:
    for node, on_type in iter_fields(selection_set, parent, fragments, schema):
        if node.name.value == "id" and node.alias is None:
            definition = field_definition(on_type, "id")
            if definition is not None and get_named_type(definition.type).name == "ID":
                return True
    return False


@dataclass
class _Findings:
    connections: int = 0
    too_deep: bool = False
    in_list: bool = False
    not_edges: list[str] = field(default_factory=list)
    without_id: list[str] = field(default_factory=list)


@dataclass
class _Walker:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    found: _Findings = field(default_factory=_Findings)

    def walk(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, depth: int, in_list: bool,
             enclosing: tuple[str, bool] | None) -> None:
        """``depth``: how many connections enclose this selection (a top-level connection is not nested, as
        Shopify counts: ``products → variants → inventoryLevels`` is depth 2); ``enclosing``: the name of the
        connection whose node we are in, and whether that node selects ``id``."""
        for node, on_type in iter_fields(selection_set, parent, self.fragments, self.schema):
            definition = field_definition(on_type, node.name.value)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if is_connection_type(named):
                self.connection(node, named, depth, in_list, enclosing)
            elif is_composite_type(named):
                self.walk(node.selection_set, named, depth, in_list or _is_list(definition), enclosing)

    def connection(self, node: FieldNode, connection: GraphQLNamedType, depth: int, in_list: bool,
                   enclosing: tuple[str, bool] | None) -> None:
        name = node.name.value
        self.found.connections += 1
        self.found.too_deep |= depth > MAX_DEPTH
        self.found.in_list |= in_list
        if enclosing is not None and not enclosing[1] and enclosing[0] not in self.found.without_id:
            self.found.without_id.append(enclosing[0])
        via_edges = False
        for part, part_type in iter_fields(node.selection_set, connection, self.fragments, self.schema):
            if part.name.value == "nodes":
                if name not in self.found.not_edges:
                    self.found.not_edges.append(name)
                self._node(part, part_type, "nodes", name, depth)
            elif part.name.value == "edges":
                edge_def = field_definition(part_type, "edges")
                edge_type = get_named_type(edge_def.type) if edge_def else part_type
                for inner, inner_type in iter_fields(part.selection_set, edge_type, self.fragments, self.schema):
                    if inner.name.value == "node":
                        via_edges = True
                        self._node(inner, inner_type, "node", name, depth)
        if not via_edges and name not in self.found.not_edges:
            self.found.not_edges.append(name)

    def _node(self, node: FieldNode, on_type: GraphQLNamedType, field_name: str, connection_name: str,
              depth: int) -> None:
        definition = field_definition(on_type, field_name)
        if definition is None:
            return
        node_type = get_named_type(definition.type)
        has_id = selects_plain_id(node.selection_set, node_type, self.fragments, self.schema)
        self.walk(node.selection_set, node_type, depth + 1, False, (connection_name, has_id))


def _is_list(definition: GraphQLField) -> bool:
    kind = definition.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return is_list_type(kind) or isinstance(kind, GraphQLList)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def syntax_message(text: str, error: GraphQLError | None) -> str:
    """An empty document reads ``syntax error, unexpected end of file`` (recorded, no position); otherwise the
    position is given as for bulk mutations (UNCONFIRMED for queries)."""
    if not text.strip() or error is None:
        return "Invalid bulk query: syntax error, unexpected end of file"
    return f"Invalid bulk query: {ruby_style_syntax_error(error)}"


def check_bulk_query(
    text: str, schema: GraphQLSchema, schema_errors: Callable[[DocumentNode], list[str]] | None = None
) -> list[UserError]:
    """Spec 4.2. ``schema_errors`` gives the document's validation messages as Shopify words them (the GraphQL
    layer knows how); graphql-core's own messages otherwise."""
    size = len(text.encode())
    if size > MAX_DOCUMENT_BYTES:
        return [invalid(f"Query is too large ({size} bytes; maximum is {MAX_DOCUMENT_BYTES} bytes)")]
    document, syntax = parse_document(text)
    if document is None:
        return [invalid(syntax_message(text, syntax))]
    operation = main_operation(document)
    if operation is None:
        return [invalid(syntax_message("", None))]
    if operation.operation != OperationType.QUERY:
        return [invalid(ONLY_QUERIES)]
    problems = schema_errors(document) if schema_errors else [e.message for e in validate(schema, document)]
    if problems:
        return [invalid(f"Invalid bulk query: {problem}") for problem in problems]
    return structural_problems(schema, document)


def structural_problems(schema: GraphQLSchema, document: DocumentNode) -> list[UserError]:
    operation = main_operation(document)
    assert operation is not None and schema.query_type is not None
    walker = _Walker(schema, fragments_of(document))
    errors: list[UserError] = []
    for node, _ in iter_fields(operation.selection_set, schema.query_type, walker.fragments, schema):
        if node.name.value in ("node", "nodes"):
            errors.append(invalid(TOP_LEVEL_NODE.format(name=node.name.value)))
    walker.walk(operation.selection_set, schema.query_type, 0, False, None)
    found = walker.found
    if found.connections == 0:
        errors.append(invalid(AT_LEAST_ONE))
    if found.connections > MAX_CONNECTIONS:
        errors.append(invalid(TOO_MANY))
    if found.too_deep:
        errors.append(invalid(TOO_DEEP))
    if found.not_edges:
        names = ", ".join(f"'{n}'" for n in found.not_edges)
        errors.append(invalid(EDGES_NODE.format(first=found.not_edges[0], names=names)))
    if found.without_id:
        errors.append(invalid(PARENT_ID.format(names=", ".join(found.without_id))))
    if found.in_list:
        errors.append(invalid(IN_LIST))
    return errors
