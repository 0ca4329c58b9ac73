"""A bulk document compiled once per operation into a plan that runs a line without graphql-core.

graphql-core spends most of a bulk line coercing variables (it visits every declared input field) and
completing the payload field by field. A plan does the same work for the shapes bulk imports use:

- a variable checker per input type that *accepts only values graphql-core would pass through unchanged*
  (right leaf types, no unknown fields, no missing required ones). Anything else returns None and the line
  goes to graphql-core, so every error keeps graphql-core's (Shopify-reworded) wording;
- the root field's arguments, with literals coerced once and defaults applied as graphql-core applies them;
- a result shaper that writes exactly the selected fields, in selection order, under their aliases, with
  the same resolvers and scalar serializers. Anything it cannot complete exactly (a resolver error, a null
  in a non-null field, an abstract type) raises :class:`Deoptimize`, and the line is rolled back and rerun
  through graphql-core, which reports it.

``compile_plan`` returns None for a document outside these shapes; graphql-core then runs every line.
tests/graphql/test_compiled_plan.py diff-checks plans against graphql-core on generated input.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    ListValueNode,
    NonNullTypeNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
    coerce_input_value,
    get_argument_values,
    is_leaf_type,
    type_from_ast,
)
from graphql.execution.values import VariableValues
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.pyutils import Path
from graphql.type.definition import GraphQLResolveInfoHelpers

from bulkops.graphql.defaults import snake
from bulkops.protocol.ids import is_global_id

MAX_INT = 2**31 - 1
MIN_INT = -(2**31)

Checker = Callable[[Any, int], bool]
"""True when graphql-core would coerce the value to itself (``depth`` counts nesting as graphql-core does)."""


class Deoptimize(Exception):
    """The plan cannot finish this line exactly as graphql-core would: run it through graphql-core."""


class Unsupported(Exception):
    """The document has a shape plans do not cover (compile-time only)."""


# ---- variables ----------------------------------------------------------------------------------
def _leaf_checker(type_: GraphQLScalarType | GraphQLEnumType) -> Checker:
    if type_ is GraphQLString or type_.name == "String":
        return lambda v, _d: type(v) is str
    if type_ is GraphQLBoolean or type_.name == "Boolean":
        return lambda v, _d: type(v) is bool
    if type_ is GraphQLID or type_.name == "ID":  # a malformed gid is the variables' error (graphql/variables.py)
        return lambda v, _d: type(v) is str and is_global_id(v)
    if type_ is GraphQLInt or type_.name == "Int":
        return lambda v, _d: type(v) is int and MIN_INT <= v <= MAX_INT
    if type_ is GraphQLFloat or type_.name == "Float":
        return lambda v, _d: type(v) is float and math.isfinite(v)
    if isinstance(type_, GraphQLEnumType):
        if any(value.value != name for name, value in type_.values.items()):
            raise Unsupported(f"enum {type_.name} maps names to other values")
        names = frozenset(type_.values)
        return lambda v, _d: type(v) is str and v in names
    if type_.coerce_input_value is not GraphQLScalarType.parse_value:
        raise Unsupported(f"scalar {type_.name} has its own input coercion")
    return lambda v, _d: True


class _Checkers:
    """One checker per input type, built lazily so recursive input types work."""

    def __init__(self) -> None:
        self._by_type: dict[str, Checker] = {}

    def for_type(self, type_: GraphQLInputType) -> Checker:
        """Wrappers are folded into one function per position (a list of objects is one loop), since a
        line's input has a dozen nested objects and each call layer costs as much as the check itself."""
        non_null = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if non_null else type_  # type: ignore[union-attr]
        if isinstance(inner, GraphQLList):
            return self._list(inner.of_type, non_null)
        named = self._named(inner)
        if non_null:
            return lambda v, d: v is not None and named(v, d)
        return lambda v, d: v is None or named(v, d)

    def _named(self, type_: Any) -> Checker:
        if isinstance(type_, GraphQLInputObjectType):
            return self._object(type_)
        return _leaf_checker(type_)

    def _list(self, item_type: GraphQLInputType, non_null: bool) -> Checker:
        """``[item]`` (``non_null``: ``[item]!``): a list within the depth limit whose items all check."""
        item_non_null = isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if item_non_null else item_type  # type: ignore[union-attr]
        if isinstance(named, GraphQLList):
            nested = self.for_type(item_type)

            def list_of_lists(v: Any, d: int) -> bool:
                if v is None:
                    return not non_null
                return type(v) is list and d < MAX_NESTING_DEPTH and all(nested(x, d + 1) for x in v)

            return list_of_lists
        plain = _PLAIN_LEAVES.get(getattr(named, "name", ""))
        if plain is not None and self._schema_leaf(named) is named:
            def list_of_plain(v: Any, d: int) -> bool:
                if v is None:
                    return not non_null
                if type(v) is not list or d >= MAX_NESTING_DEPTH:
                    return False
                for x in v:
                    if type(x) is not plain and (x is not None or item_non_null):
                        return False
                return True

            return list_of_plain
        item = self._named(named)

        def list_of(v: Any, d: int) -> bool:
            if v is None:
                return not non_null
            if type(v) is not list or d >= MAX_NESTING_DEPTH:
                return False
            d += 1
            for x in v:
                if x is None:
                    if item_non_null:
                        return False
                elif not item(x, d):
                    return False
            return True

        return list_of

    def _object(self, type_: GraphQLInputObjectType) -> Checker:
        """Leaf fields (the common case) are checked inline by Python type; others by their own checker."""
        if type_.name in self._by_type:
            return self._by_type[type_.name]
        leaves: dict[str, tuple[type, bool]] = {}
        nested: dict[str, Checker] = {}
        required: list[str] = []

        one_of = type_.is_one_of

        def check(value: Any, depth: int) -> bool:
            if type(value) is not dict or depth >= MAX_NESTING_DEPTH:
                return False
            if one_of and (len(value) != 1 or None in value.values()):
                return False  # graphql-core words what is wrong with a @oneOf input
            for name, item in value.items():
                leaf = leaves.get(name)
                if leaf is not None:
                    if type(item) is not leaf[0] and (item is not None or not leaf[1]):
                        return False
                    continue
                checker = nested.get(name)
                if checker is None or not checker(item, depth + 1):
                    return False
            for name in required:
                if name not in value:
                    return False
            return True

        self._by_type[type_.name] = check
        if type_.out_type is not GraphQLInputObjectType.out_type:
            raise Unsupported(f"{type_.name} has its own out_type")
        for name, input_field in type_.fields.items():
            if input_field.out_name or input_field.default_value is not Undefined:
                raise Unsupported(f"{type_.name}.{name} has a default or an out name")
            non_null = isinstance(input_field.type, GraphQLNonNull)
            if non_null:
                required.append(name)
            named = input_field.type.of_type if non_null else input_field.type
            python_type = _PLAIN_LEAVES.get(getattr(named, "name", ""))
            if python_type is not None and named is self._schema_leaf(named):
                leaves[name] = (python_type, not non_null)
            else:
                nested[name] = self.for_type(input_field.type)
        return check

    @staticmethod
    def _schema_leaf(type_: Any) -> Any:
        """The type itself when it is one of the built-in scalars checked by Python type alone."""
        return type_ if isinstance(type_, GraphQLScalarType) and type_.name in _PLAIN_LEAVES else None


_PLAIN_LEAVES: dict[str, type] = {"String": str, "Boolean": bool}
"""Leaves checked inline by Python type alone (an ID must also be a well-formed gid: its own checker)."""


# ---- arguments ----------------------------------------------------------------------------------
def _uses_variables(node: Any) -> bool:
    if isinstance(node, VariableNode):
        return True
    if isinstance(node, ListValueNode):
        return any(_uses_variables(v) for v in node.values)
    if isinstance(node, ObjectValueNode):
        return any(_uses_variables(f.value) for f in node.fields)
    return False


@dataclass(frozen=True)
class _VariableArgument:
    name: str
    variable: str


def _root_arguments(schema: GraphQLSchema, field_def: GraphQLField, node: FieldNode,
                    operation: OperationDefinitionNode) -> tuple[dict[str, Any], list[_VariableArgument]]:
    """Constant arguments (literals and defaults, coerced once) and arguments read from a variable."""
    constant_nodes = [a for a in node.arguments or () if not isinstance(a.value, VariableNode)]
    if any(_uses_variables(a.value) for a in constant_nodes):
        raise Unsupported("a variable inside a literal argument")
    declared = {d.variable.name.value: d for d in operation.variable_definitions or ()}
    from_variables = []
    for argument in node.arguments or ():
        if isinstance(argument.value, VariableNode):
            definition = declared[argument.value.name.value]
            has_default = getattr(field_def.args[argument.name.value], "default_value", Undefined) is not Undefined
            if definition.default_value is not None or (has_default and not isinstance(definition.type,
                                                                                      NonNullTypeNode)):
                raise Unsupported("a variable or an argument default to apply")
            from_variables.append(_VariableArgument(argument.name.value, argument.value.name.value))
    constant_node = FieldNode(name=node.name, arguments=tuple(constant_nodes))
    constant_def = GraphQLField(field_def.type, {
        name: arg for name, arg in field_def.args.items()
        if name not in {v.name for v in from_variables}
    })
    return get_argument_values(constant_def, constant_node, None), from_variables


# ---- results ------------------------------------------------------------------------------------
@dataclass
class FieldPlan:
    key: str
    name: str
    nodes: list[FieldNode]
    field_def: GraphQLField
    parent: GraphQLObjectType
    resolve: Callable[..., Any] | None
    args: dict[str, Any]
    complete: Callable[[Any, Any, Path], Any] = field(default=lambda v, c, p: v)
    non_null: bool = False
    snake_name: str = ""


class _Shaper:
    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, Any]) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.pure = True  # every field reads the presenter dict (no resolver that queries the database)

    def collect(self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode]) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise Unsupported("directives in the selection")
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is not None and condition.name.value != parent.name:
                        raise Unsupported("a fragment on another type")
                    walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                    if fragment.type_condition.name.value != parent.name:
                        raise Unsupported("a fragment on another type")
                    walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return fields

    def object_plan(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> list[FieldPlan]:
        if parent.is_type_of is not None:
            raise Unsupported("is_type_of")
        sets = [n.selection_set for n in nodes if n.selection_set is not None]
        plans = []
        for key, field_nodes in self.collect(parent, sets).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                plans.append(FieldPlan(key, name, field_nodes, None, parent, None, {}))  # type: ignore[arg-type]
                continue
            if name.startswith("__"):
                raise Unsupported("introspection")
            field_def = parent.fields[name]
            if any(_uses_variables(a.value) for a in field_nodes[0].arguments or ()):
                raise Unsupported("variables in a nested field's arguments")
            args = get_argument_values(field_def, field_nodes[0], None)
            if field_def.resolve is not None:
                self.pure = False
            plan = FieldPlan(key, name, field_nodes, field_def, parent, field_def.resolve, args,
                             non_null=isinstance(field_def.type, GraphQLNonNull), snake_name=snake(name))
            plan.complete = self.completer(field_def.type, field_nodes)
            plans.append(plan)
        return plans

    def completer(self, type_: GraphQLOutputType, nodes: list[FieldNode]) -> Callable[[Any, Any, Path], Any]:
        if isinstance(type_, GraphQLNonNull):
            inner = self.completer(type_.of_type, nodes)

            def non_null(value: Any, context: Any, path: Path) -> Any:
                if value is None:
                    raise Deoptimize()
                completed = inner(value, context, path)
                if completed is None:
                    raise Deoptimize()
                return completed

            non_null.fields = getattr(inner, "fields", None)  # type: ignore[attr-defined]
            return non_null
        if isinstance(type_, GraphQLList):
            item = self.completer(type_.of_type, nodes)

            def as_list(value: Any, context: Any, path: Path) -> Any:
                if value is None:
                    return None
                if not isinstance(value, list | tuple):
                    raise Deoptimize()
                return [item(v, context, path.add_key(i)) for i, v in enumerate(value)]

            as_list.fields = getattr(item, "fields", None)  # type: ignore[attr-defined]
            return as_list
        if is_leaf_type(type_):
            serialize = type_.serialize  # type: ignore[union-attr]
            # graphql-core's String and ID serializers return a str as it is; Boolean a bool
            plain: dict[Any, type] = {GraphQLString.serialize: str, GraphQLID.serialize: str,
                                      GraphQLBoolean.serialize: bool}
            same = plain.get(serialize)

            def leaf(value: Any, _context: Any, _path: Path) -> Any:
                if value is None:
                    return None
                if type(value) is same:
                    return value
                try:
                    out = serialize(value)
                except Exception as exc:
                    raise Deoptimize() from exc
                if out is None or out is Undefined:
                    raise Deoptimize()
                return out

            return leaf
        if not isinstance(type_, GraphQLObjectType):
            raise Unsupported("abstract types")
        fields = self.object_plan(type_, nodes)

        def as_object(value: Any, context: Any, path: Path) -> Any:
            if value is None:
                return None
            return self.complete_object(fields, value, context, path)

        as_object.fields = fields  # type: ignore[attr-defined]
        return as_object

    def info(self, plan: FieldPlan, context: Any, path: Path) -> GraphQLResolveInfo:
        return GraphQLResolveInfo(plan.name, plan.nodes, plan.field_def.type, plan.parent, path, self.schema,
                                  self.fragments, None, self.operation, NO_VARIABLES, context, _never_awaitable,
                                  None, NO_ASYNC_HELPERS)

    def complete_object(self, fields: list[FieldPlan], source: Any, context: Any, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for plan in fields:
            if plan.field_def is None:
                out[plan.key] = plan.parent.name
                continue
            here = path.add_key(plan.key, plan.parent.name)
            try:
                if plan.resolve is not None:
                    value = plan.resolve(source, self.info(plan, context, here), **plan.args)
                else:
                    value = self._default(plan, source, context, here)
            except Deoptimize:
                raise
            except Exception as exc:
                raise Deoptimize() from exc
            out[plan.key] = plan.complete(value, context, here)
        return out

    def _default(self, plan: FieldPlan, source: Any, context: Any, path: Path) -> Any:
        """graphql/defaults.py ``default_resolver``, inlined (a missing non-null field deoptimizes so
        graphql-core reports it)."""
        if isinstance(source, dict):
            if plan.name in source:
                value = source[plan.name]
            elif plan.snake_name in source:
                value = source[plan.snake_name]
            else:
                if plan.non_null:
                    raise Deoptimize()
                return None
        else:
            value = getattr(source, plan.name, None)
        return value(self.info(plan, context, path), **plan.args) if callable(value) else value


async def _no_async_work(_values: Sequence[Awaitable[Any]]) -> list[Any]:
    raise RuntimeError("resolvers of a compiled plan are synchronous")


def _no_async_tracking(_values: Sequence[Any]) -> None:
    raise RuntimeError("resolvers of a compiled plan are synchronous")


NO_VARIABLES = VariableValues(sources={}, coerced={})
NO_ASYNC_HELPERS = GraphQLResolveInfoHelpers(gather=_no_async_work, track=_no_async_tracking)
"""Plans take no variables from the document: arguments are built before resolvers run."""


def _never_awaitable(_value: Any) -> TypeGuard[Awaitable[Any]]:
    return False


# ---- the plan -----------------------------------------------------------------------------------
@dataclass
class Plan:
    """A compiled single-root-field mutation."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    root_key: str
    root_field: FieldPlan
    constant_args: dict[str, Any]
    variable_args: list[_VariableArgument]
    checkers: dict[str, tuple[Checker, bool]]
    shaper: _Shaper
    coerced: dict[str, GraphQLInputType] = field(default_factory=dict)
    """Variables graphql-core's own input coercion reads (defaults applied, ``@oneOf`` checked): a root field
    in ``COERCING_ROOTS`` takes every variable that way."""

    @property
    def root_field_name(self) -> str:
        return self.root_field.name

    @property
    def pure_payload(self) -> bool:
        """The payload's selection reads only presenter dicts (a batch writer may present rows not yet written)."""
        return self.shaper.pure

    def selected_names(self, *path: str) -> set[str] | None:
        """The field names (not aliases) selected below the root field at ``path`` (field names, every alias
        of each merged), or None when the path does not lead to an object selection."""
        levels: list[FieldPlan] | None = getattr(self.root_field.complete, "fields", None)
        for name in path:
            if levels is None:
                return None
            below = [getattr(p.complete, "fields", None) for p in levels if p.name == name]
            if not below or any(b is None for b in below):
                return None
            levels = [p for b in below for p in b]  # type: ignore[union-attr]
        return None if levels is None else {p.name for p in levels}

    def arguments(self, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The root field's arguments, or None when graphql-core must coerce (and probably reject) them."""
        for name, (check, required) in self.checkers.items():
            if name in variables:
                if not check(variables[name], 0):
                    return None
            elif required:
                return None
        values = variables
        if self.coerced:
            values = dict(variables)
            for name, var_type in self.coerced.items():
                if name in variables:
                    try:
                        values[name] = coerce_input_value(variables[name], var_type)
                    except GraphQLError:
                        return None
                elif isinstance(var_type, GraphQLNonNull):
                    return None
        args = dict(self.constant_args)
        for argument in self.variable_args:
            if argument.variable in values:
                args[argument.name] = values[argument.variable]
        return args

    def resolve(self, context: Any, args: dict[str, Any]) -> Any:
        """Run the root resolver; any exception deoptimizes (graphql-core words the error)."""
        root = self.root_field
        try:
            return root.resolve(None, self.shaper.info(root, context, Path(None, self.root_key, None)),  # type: ignore[misc]
                                **args)
        except Exception as exc:
            raise Deoptimize() from exc

    def shape(self, payload: Any, context: Any) -> dict[str, Any]:
        """The line's response for the root field's resolved value, as graphql-core would write it."""
        path = Path(None, self.root_key, self.schema.mutation_type.name)  # type: ignore[union-attr]
        return {"data": {self.root_key: self.root_field.complete(payload, context, path)}}

    def run(self, context: Any, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The whole line, or None (before any write) when graphql-core must run it."""
        args = self.arguments(variables)
        if args is None:
            return None
        return self.shape(self.resolve(context, args), context)


COERCING_ROOTS = frozenset({"orderCreate"})
"""Root fields whose variables the plan coerces with graphql-core's own input coercion, so input types with
defaults and ``@oneOf`` (which the fast checks refuse) still compile. Each is listed once its batched and
per-line paths are compared (tests/graphql/test_order_create_paths.py)."""


def compile_plan(schema: GraphQLSchema, document: Any, operation: OperationDefinitionNode | None) -> Plan | None:
    """A plan for a valid single-root-field mutation, or None for shapes plans do not cover."""
    if operation is None or operation.operation != OperationType.MUTATION or schema.mutation_type is None:
        return None
    try:
        return _compile(schema, document, operation)
    except (Unsupported, KeyError):
        return None


def _compile(schema: GraphQLSchema, document: Any, operation: OperationDefinitionNode) -> Plan:
    fragments = {d.name.value: d for d in document.definitions if d.__class__.__name__ == "FragmentDefinitionNode"}
    shaper = _Shaper(schema, operation, fragments)
    mutation = schema.mutation_type
    assert mutation is not None
    roots = shaper.collect(mutation, [operation.selection_set])
    if len(roots) != 1:
        raise Unsupported("more than one root field")
    [(root_key, nodes)] = roots.items()
    if len(nodes) != 1:
        raise Unsupported("a repeated root field")
    node = nodes[0]
    field_def = mutation.fields[node.name.value]
    if field_def.resolve is None:
        raise Unsupported("a root field without a resolver")
    checkers: _Checkers = _Checkers()
    variable_checks = {}
    coerced: dict[str, GraphQLInputType] = {}
    for definition in operation.variable_definitions or ():
        if definition.directives:
            raise Unsupported("variable directives")
        var_type = type_from_ast(schema, definition.type)
        if var_type is None:
            raise Unsupported("unknown variable type")
        if definition.default_value is not None:
            raise Unsupported("variable defaults")
        if node.name.value in COERCING_ROOTS:
            coerced[definition.variable.name.value] = var_type  # type: ignore[assignment]
            continue
        variable_checks[definition.variable.name.value] = (checkers.for_type(var_type),  # type: ignore[arg-type]
                                                           isinstance(var_type, GraphQLNonNull))
    constant_args, variable_args = _root_arguments(schema, field_def, node, operation)
    root = FieldPlan(root_key, node.name.value, nodes, field_def, mutation, field_def.resolve, {},
                     non_null=isinstance(field_def.type, GraphQLNonNull))
    root.complete = shaper.completer(field_def.type, nodes)
    return Plan(schema, operation, root_key, root, constant_args, variable_args, variable_checks, shaper, coerced)

