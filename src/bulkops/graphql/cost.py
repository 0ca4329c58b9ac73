"""``extensions.cost`` in Shopify's shape (spec 1.5): requested cost computed from the selection.

Rules: scalars and enums 0, objects 1, connections 2 + first/last × the cost of one node, mutations 10.
The bucket is reported full before the request (this server does not throttle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

MAXIMUM_AVAILABLE = 2000.0
RESTORE_RATE = 100.0
LARGEST_INT = 2**31 - 1
"""GraphQL's Int is 32 bits: a larger page size is refused when the request runs, so it sizes nothing here."""


@dataclass
class Request:
    """What a document's cost depends on besides the schema: its variables and named fragments."""

    variables: dict[str, Any]
    fragments: dict[str, FragmentDefinitionNode]
    fragment_costs: dict[tuple[str, str], int]
    """A fragment's cost per parent type, computed once however often it is spread."""


MAX_REPORTED_COST = 2**53 - 1
"""Nested connections multiply: a short query can cost more than 2^64, which no JSON writer here (nor a
JavaScript client) holds. Costs are reported up to the largest integer a JSON number keeps exactly (UNCONFIRMED
what Shopify reports past it; any such query is far over its 1,000-point ceiling anyway)."""


def _page_size(node: FieldNode, variables: dict[str, Any]) -> int:
    for arg in node.arguments or ():
        if arg.name.value in ("first", "last"):
            if isinstance(arg.value, IntValueNode):
                value: object = int(arg.value.value)
            elif isinstance(arg.value, VariableNode):
                value = variables.get(arg.value.name.value)
            else:
                return 0
            return value if isinstance(value, int) and 0 <= value <= LARGEST_INT else 0
    return 0


def _fragment_cost(schema: GraphQLSchema, parent: Any, spread: FragmentSpreadNode, request: Request) -> int:
    fragment = request.fragments.get(spread.name.value)
    if fragment is None:
        return 0
    target = schema.get_type(fragment.type_condition.name.value) or parent
    key = (spread.name.value, getattr(target, "name", ""))
    if key not in request.fragment_costs:
        request.fragment_costs[key] = _selection_cost(schema, target, fragment.selection_set, request)
    return request.fragment_costs[key]


def _selection_cost(schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode | None,
                    request: Request) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += _selection_cost(schema, target, selection.selection_set, request)
            continue
        if isinstance(selection, FragmentSpreadNode):
            total += _fragment_cost(schema, parent, selection, request)
            continue
        if not isinstance(selection, FieldNode):
            continue
        fields = getattr(parent, "fields", {})
        field = fields.get(selection.name.value)
        if field is None:
            continue
        total += _field_cost(schema, field.type, selection, request)
    return total


def _connection_node_cost(schema: GraphQLSchema, connection: Any, node: FieldNode,
                          request: Request) -> tuple[int, int]:
    """(cost of one node, cost of the connection's other fields such as pageInfo)."""
    per_node, extras = 0, 0
    for sub in node.selection_set.selections if node.selection_set else []:
        if not isinstance(sub, FieldNode) or sub.name.value not in connection.fields:
            continue
        sub_type = get_named_type(connection.fields[sub.name.value].type)
        if sub.name.value == "nodes":
            per_node = max(per_node, 1 + _selection_cost(schema, sub_type, sub.selection_set, request))
        elif sub.name.value == "edges":
            inner = next((s for s in sub.selection_set.selections
                          if isinstance(s, FieldNode) and s.name.value == "node"), None) if sub.selection_set else None
            node_type = get_named_type(sub_type.fields["node"].type)
            per_node = max(per_node, 1 + _selection_cost(schema, node_type, inner.selection_set if inner else None,
                                                         request))
        else:
            extras += _field_cost(schema, connection.fields[sub.name.value].type, sub, request)
    return per_node, extras


def _field_cost(schema: GraphQLSchema, field_type: Any, node: FieldNode, request: Request) -> int:
    named = get_named_type(field_type)
    if is_leaf_type(named):
        return 0
    if named.name.endswith("Connection"):
        per_node, extras = _connection_node_cost(schema, named, node, request)
        return 2 + _page_size(node, request.variables) * per_node + extras
    return 1 + _selection_cost(schema, named, node.selection_set, request)


def _mutation_cost(schema: GraphQLSchema, node: FieldNode) -> int:
    """10 per mutation, plus 1 per selected list of objects in its payload other than ``userErrors``
    (recorded: ``stagedUploadsCreate`` costs 11 with ``stagedTargets`` selected, 10 without)."""
    assert schema.mutation_type is not None
    field = schema.mutation_type.fields.get(node.name.value)
    payload = get_named_type(field.type) if field else None
    extra = 0
    for sub in node.selection_set.selections if node.selection_set else []:
        if not isinstance(sub, FieldNode) or sub.name.value == "userErrors" or payload is None:
            continue
        sub_field = getattr(payload, "fields", {}).get(sub.name.value)
        if sub_field is not None and is_list_type(get_nullable_type(sub_field.type)) and \
                not is_leaf_type(get_named_type(sub_field.type)):
            extra += 1
    return 10 + extra


def requested_cost(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: dict[str, Any],
                   document: DocumentNode | None = None) -> int:
    """The cost Shopify would charge before running ``operation``; ``document`` holds the named fragments it
    spreads (a validated document: no cycles, every fragment defined)."""
    if operation.operation == OperationType.MUTATION:
        cost = sum(_mutation_cost(schema, s) for s in operation.selection_set.selections if isinstance(s, FieldNode))
    else:
        fragments = {d.name.value: d for d in (document.definitions if document else ())
                     if isinstance(d, FragmentDefinitionNode)}
        cost = _selection_cost(schema, schema.query_type, operation.selection_set, Request(variables, fragments, {}))
    return min(cost, MAX_REPORTED_COST)


def cost_extension(cost: int) -> dict[str, Any]:
    return {
        "requestedQueryCost": cost,
        "actualQueryCost": cost,
        "throttleStatus": {
            "maximumAvailable": MAXIMUM_AVAILABLE,
            "currentlyAvailable": int(MAXIMUM_AVAILABLE - cost),
            "restoreRate": RESTORE_RATE,
        },
    }


def throttled_extension(cost: int) -> dict[str, Any]:
    """The cost a THROTTLED answer carries (spec 1.4): nothing spent, less available than requested."""
    return {
        "requestedQueryCost": cost,
        "actualQueryCost": None,
        "throttleStatus": {
            "maximumAvailable": MAXIMUM_AVAILABLE,
            "currentlyAvailable": max(0, cost - 1),
            "restoreRate": RESTORE_RATE,
        },
    }
