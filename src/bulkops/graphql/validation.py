"""Static validation as Shopify's GraphQL layer (graphql-ruby) reports it, built from the AST, never reworded.

graphql-core walks the document with its TypeInfo; each rule here reports an error already in Shopify's shape:
``message``, ``locations`` (the node graphql-ruby names), ``path`` (the operation's label such as
``"query Name"``, ``"mutation"`` or ``"fragment Name"``, then response keys, ``"... on Type"``, ``"... Name"``,
``"@directive"`` and argument / input-field names) and ``extensions`` (``code`` plus the rule's own fields).
Where a rule has several findings graphql-ruby reports them all, in document order.

Messages and extensions (REC: recorded at Shopify, spec 1.4/5.2; the rest follow graphql-ruby's pattern and are
UNCONFIRMED at Shopify):

====================================  ======================================================================  ====
code                                  message                                                                 from
====================================  ======================================================================  ====
undefinedField                        Field 'f' doesn't exist on type 'T'                                     REC
argumentNotAccepted                   Field 'f' doesn't accept argument 'a' (also Directive / InputObject)    REC
missingRequiredArguments              Field 'f' is missing required arguments: a, b                           REC
argumentLiteralsIncompatible          Argument 'a' on Field 'f' has an invalid value (V). Expected type 'T'.  REC
argumentLiteralsIncompatible          Invalid global id 'x' (extensions.typeName CoercionError)               REC
missingRequiredInputObjectAttribute   Argument 'a' on InputObject 'T' is required. Expected type String!      REC
selectionMismatch                     Field must have selections (field 'f' returns T but has no ...)         REC
selectionMismatch                     Selections can't be made on scalars (field 'f' returns T but has ...)
variableNotUsed                       Variable $v is declared by Name but not used                            REC
variableNotDefined                    Variable $v is used by Name but not declared
variableMismatch                      Nullability mismatch on variable $v and argument a (T / T!)
variableRequiresValidType             T isn't a valid input type (on $v)
defaultValueInvalidType               Default value for $v doesn't match type T
variableNotUnique                     There can only be one variable named "v"
argumentNotUnique                     There can be only one argument named "a"
inputFieldNotUnique                   There can be only one input field named "a"
uniquelyNamedOperations               Operation name "N" must be unique / Operation name is required ...
queryContainsSchemaDefinitions        Query cannot contain schema definitions
missingSubscriptionConfiguration      Schema is not configured for subscriptions
undefinedType                         No such type T, so it can't be a fragment condition
fragmentOnNonCompositeType            Invalid fragment on type T (must be Union, Interface or Object)
fragmentNotUnique                     Fragment name "F" must be unique
useAndDefineFragment                  Fragment F was used, but not defined / was defined, but not used
cannotSpreadFragment                  Fragment F on T can't be spread inside P
infiniteLoop                          Fragment F contains an infinite loop
undefinedDirective                    Directive @d is not defined
directiveCannotBeApplied              '@d' can't be applied to fields (allowed: queries)
directiveNotUniqueForLocation         The directive "d" can only be used once at this location.
fieldConflict                         Field 'k' has a field conflict: a or b?
====================================  ======================================================================  ====
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import (
    ArgumentNode,
    ASTValidationRule,
    BooleanValueNode,
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_input_type,
    is_leaf_type,
    is_required_argument,
    is_required_input_field,
    is_type_sub_type_of,
    print_ast,
    type_from_ast,
    visit,
)
from graphql import validation as core
from graphql.language.visitor import SKIP, ParallelVisitor
from graphql.pyutils import Undefined
from graphql.validation.validate import FragmentNestingVisitor, ValidationAbortedError

from bulkops.protocol.ids import InvalidGlobalId, check_global_id

MAX_ERRORS = 100


def operation_label(operation: OperationDefinitionNode) -> str:
    """``query Name``, ``mutation Name``, or the bare keyword for an anonymous operation (graphql-ruby)."""
    keyword = operation.operation.value
    return f"{keyword} {operation.name.value}" if operation.name else keyword


def operation_word(operation: OperationDefinitionNode) -> str:
    """How variable messages name an operation: its name, else ``anonymous query`` (UNCONFIRMED)."""
    return operation.name.value if operation.name else f"anonymous {operation.operation.value}"


class ShopifyContext(ValidationContext):
    """graphql-core's context plus what graphql-ruby's messages need: the current path and variable."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, type_info: TypeInfo,
                 on_error: Callable[[GraphQLError], None]) -> None:
        super().__init__(schema, document, type_info, on_error)
        self.path: list[str] = []
        self.nodes: list[Node] = []
        self.variable: VariableDefinitionNode | None = None
        self.type_info = type_info

    def report(self, message: str, nodes: Node | list[Node] | None, extensions: dict[str, Any],
               path: list[str] | None = None) -> None:
        self.report_error(GraphQLError(message, nodes, path=list(self.path) if path is None else path,
                                       extensions=extensions))


def _segment(node: Node) -> str | None:
    """What a node adds to graphql-ruby's error path; None for nodes that add nothing."""
    if isinstance(node, OperationDefinitionNode):
        return operation_label(node)
    if isinstance(node, FragmentDefinitionNode):
        return f"fragment {node.name.value}"
    if isinstance(node, InlineFragmentNode):
        return f"... on {node.type_condition.name.value}" if node.type_condition else "..."
    if isinstance(node, FragmentSpreadNode):
        return f"... {node.name.value}"
    if isinstance(node, FieldNode):
        return (node.alias or node.name).value
    if isinstance(node, DirectiveNode):
        return f"@{node.name.value}"
    if isinstance(node, ArgumentNode | ObjectFieldNode):
        return node.name.value
    return None


class _PathEnter(Visitor):
    """First of the parallel visitors: the path includes a node before any rule sees it."""

    def __init__(self, context: ShopifyContext) -> None:
        super().__init__()
        self.context = context

    def enter(self, node: Node, *_: Any) -> None:
        segment = _segment(node)
        if segment is not None:
            self.context.path.append(segment)
        self.context.nodes.append(node)
        if isinstance(node, VariableDefinitionNode):
            self.context.variable = node


class _PathLeave(Visitor):
    """Last of the parallel visitors: the path drops a node after every rule has left it."""

    def __init__(self, context: ShopifyContext) -> None:
        super().__init__()
        self.context = context

    def leave(self, node: Node, *_: Any) -> None:
        if _segment(node) is not None:
            self.context.path.pop()
        self.context.nodes.pop()
        if isinstance(node, VariableDefinitionNode):
            self.context.variable = None


def _parent_of_argument(context: ShopifyContext) -> tuple[str, str, Node] | None:
    """(kind, name, node) of the field or directive whose argument is being visited."""
    for node in reversed(context.nodes[:-1]):
        if isinstance(node, FieldNode):
            return "Field", (node.alias or node.name).value, node
        if isinstance(node, DirectiveNode):
            return "Directive", node.name.value, node
    return None


# ---- fields and selections ----------------------------------------------------------------------------
class FieldsAreDefined(ValidationRule):
    context: ShopifyContext

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        parent = self.context.get_parent_type()
        if parent is None or self.context.get_field_def() is not None:
            return None
        name = node.name.value
        self.context.report(f"Field '{name}' doesn't exist on type '{parent.name}'", node,
                            {"code": "undefinedField", "typeName": parent.name, "fieldName": name})
        return SKIP


class SelectionsMatch(ValidationRule):
    context: ShopifyContext

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        field_type = self.context.get_type()
        if field_type is None:
            return
        named = get_named_type(field_type)
        described = f"field '{node.name.value}'"
        extensions = {"code": "selectionMismatch", "nodeName": described, "typeName": named.name}
        if is_leaf_type(named) and node.selection_set:
            kind = "enums" if isinstance(named, GraphQLEnumType) else "scalars"
            chosen = ", ".join(_selection_name(s) for s in node.selection_set.selections)
            self.context.report(f"Selections can't be made on {kind} ({described} returns {named.name} but has "
                                f"selections [{chosen}])", node, extensions)
        elif not is_leaf_type(named) and not node.selection_set:
            self.context.report(f"Field must have selections ({described} returns {named.name} but has no "
                                f"selections. Did you mean '{node.name.value} {{ ... }}'?)", node, extensions)


def _selection_name(selection: Node) -> str:
    if isinstance(selection, FieldNode | FragmentSpreadNode):
        return selection.name.value
    return "..."


# ---- arguments ----------------------------------------------------------------------------------------
class ArgumentsAreDefined(ValidationRule):
    context: ShopifyContext

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        parent = _parent_of_argument(self.context)
        if parent is None or self.context.get_argument() is not None:
            return None
        kind, name, _node = parent
        known = self.context.get_field_def() if kind == "Field" else self.context.get_directive()
        if known is None:
            return SKIP
        argument = node.name.value
        self.context.report(f"{kind} '{name}' doesn't accept argument '{argument}'", node,
                            {"code": "argumentNotAccepted", "name": name, "typeName": kind,
                             "argumentName": argument})
        return SKIP


class RequiredArgumentsArePresent(ValidationRule):
    context: ShopifyContext

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        definition = self.context.get_field_def()
        if definition is not None:
            self._check("Field", node, definition.args)

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        definition = self.context.get_directive()
        if definition is not None:
            self._check("Directive", node, definition.args)

    def _check(self, kind: str, node: FieldNode | DirectiveNode, args: dict[str, GraphQLArgument]) -> None:
        given = {a.name.value for a in node.arguments or ()}
        missing = [name for name, arg in args.items() if _required(arg) and name not in given]
        if missing:
            name = node.name.value
            self.context.report(f"{kind} '{name}' is missing required arguments: {', '.join(missing)}", node,
                                {"code": "missingRequiredArguments", "className": kind, "name": name,
                                 "arguments": ", ".join(missing)})


def _required(definition: Any) -> bool:
    """Non-null without a default: ``groupObjects: Boolean! = false`` may be left out."""
    if isinstance(definition, GraphQLArgument):
        return is_required_argument(definition)
    return is_required_input_field(definition)


class ArgumentLiteralsAreCompatible(ValidationRule):
    """A literal argument checked as graphql-ruby does: the innermost input field at fault is reported; an
    argument is reported whole only when none of its input fields is."""

    context: ShopifyContext

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        definition = self.context.get_argument()
        parent = _parent_of_argument(self.context)
        if definition is None or parent is None or isinstance(node.value, VariableNode):
            return SKIP
        kind, name, parent_node = parent
        _Literal(self.context).argument(node.value, definition.type, _Owner(kind, name, parent_node, node.name.value),
                                        list(self.context.path))
        return SKIP

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
        declared = type_from_ast(self.context.schema, node.type)
        if node.default_value is None or not is_input_type(declared):
            return SKIP
        probe = _Literal(self.context, report=False)
        if probe.problems(node.default_value, cast(GraphQLInputType, declared), [], []) or probe.found:
            self.context.report(f"Default value for ${node.variable.name.value} doesn't match type "
                                f"{print_ast(node.type)}", node,
                                {"code": "defaultValueInvalidType", "variableName": node.variable.name.value,
                                 "typeName": print_ast(node.type)})
        return SKIP


@dataclass(frozen=True)
class _Owner:
    """Who an argument belongs to: a field or directive (top level), or an input object (nested)."""

    kind: str
    name: str
    node: Node
    argument: str


@dataclass
class _Literal:
    """Walks one literal argument; ``found`` counts the errors reported so far."""

    context: ShopifyContext
    report: bool = True
    found: int = 0

    def argument(self, value: ValueNode, type_: GraphQLInputType, owner: _Owner, path: list[str]) -> None:
        """An argument (or input field) is reported whole only when nothing inside it was."""
        before = self.found
        coercion: list[str] = []
        if not self.problems(value, type_, path, coercion) or self.found > before:
            return
        if coercion:
            self._emit(coercion[0], owner.node, path, {"code": "argumentLiteralsIncompatible",
                                                       "typeName": "CoercionError"})
            return
        self._emit(f"Argument '{owner.argument}' on {owner.kind} '{owner.name}' has an invalid value "
                   f"({ruby_value(value)}). Expected type '{type_}'.", owner.node, path,
                   {"code": "argumentLiteralsIncompatible", "typeName": owner.kind, "argumentName": owner.argument})

    def problems(self, value: ValueNode, type_: GraphQLInputType, path: list[str], coercion: list[str]) -> bool:
        """True when ``value`` does not fit ``type_`` at this level (input fields report their own errors)."""
        if isinstance(value, VariableNode):
            return False
        if isinstance(type_, GraphQLNonNull):
            return isinstance(value, NullValueNode) or self.problems(value, type_.of_type, path, coercion)
        if isinstance(value, NullValueNode):
            return False
        if isinstance(type_, GraphQLList):
            items = value.values if isinstance(value, ListValueNode) else (value,)
            return any([self.problems(item, type_.of_type, path, coercion) for item in items])
        if isinstance(type_, GraphQLInputObjectType):
            if not isinstance(value, ObjectValueNode):
                return True
            self._input_object(value, type_, path)
            return False
        return self._leaf_problem(value, type_, coercion)

    def _input_object(self, value: ObjectValueNode, type_: GraphQLInputObjectType, path: list[str]) -> None:
        given = {f.name.value for f in value.fields}
        for entry in value.fields:
            name = entry.name.value
            definition = type_.fields.get(name)
            if definition is None:
                self._emit(f"InputObject '{type_.name}' doesn't accept argument '{name}'", entry, [*path, name],
                           {"code": "argumentNotAccepted", "name": type_.name, "typeName": "InputObject",
                            "argumentName": name})
            else:
                self.argument(entry.value, definition.type, _Owner("InputObject", type_.name, value, name),
                              [*path, name])
        for name, definition in type_.fields.items():
            if name not in given and _required(definition):
                self._emit(f"Argument '{name}' on InputObject '{type_.name}' is required. Expected type "
                           f"{definition.type}", value, [*path, name],
                           {"code": "missingRequiredInputObjectAttribute", "argumentName": name,
                            "argumentType": str(definition.type), "inputObjectType": type_.name})

    @staticmethod
    def _leaf_problem(value: ValueNode, type_: GraphQLInputType, coercion: list[str]) -> bool:
        if isinstance(type_, GraphQLEnumType):
            return not (isinstance(value, EnumValueNode) and value.value in type_.values)
        if not isinstance(type_, GraphQLScalarType) or isinstance(value, ListValueNode | ObjectValueNode):
            return True
        try:
            parsed = _literal_value(type_, value)
        except (GraphQLError, TypeError, ValueError):
            return True
        if parsed is Undefined:
            return True
        if type_.name == "ID":
            try:
                check_global_id(str(parsed))
            except InvalidGlobalId as exc:
                coercion.append(str(exc))
                return True
        return False

    def _emit(self, message: str, node: Node, path: list[str], extensions: dict[str, Any]) -> None:
        self.found += 1
        if self.report:
            self.context.report(message, node, extensions, path)


def _literal_value(type_: GraphQLScalarType, value: ValueNode) -> Any:
    """The scalar's reading of a literal as execution would coerce it: the built-in scalars' own literal
    coercion (a String refuses an enum literal, which their older ``parse_literal`` took as its name), else the
    scalar's ``parse_literal`` (the SDL's custom scalars have only that)."""
    coerce = type_.coerce_input_literal
    if coerce is not None:
        return coerce(cast(ConstValueNode, value))
    return type_.parse_literal(value, None)


def ruby_value(value: ValueNode) -> str:
    """A literal printed as graphql-ruby prints it in messages: ``{a: 1}``, ``[1, 2]``, ``"s"``, ``ENUM``."""
    if isinstance(value, ListValueNode):
        return "[" + ", ".join(ruby_value(v) for v in value.values) + "]"
    if isinstance(value, ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {ruby_value(f.value)}" for f in value.fields) + "}"
    if isinstance(value, StringValueNode):
        return json.dumps(value.value, ensure_ascii=False)
    if isinstance(value, IntValueNode | FloatValueNode | EnumValueNode):
        return value.value
    if isinstance(value, BooleanValueNode):
        return "true" if value.value else "false"
    if isinstance(value, NullValueNode):
        return "null"
    return print_ast(value)


# ---- variables ----------------------------------------------------------------------------------------
@dataclass
class _Usage:
    node: VariableNode
    path: list[str]
    expected: GraphQLInputType | None
    argument: str | None
    has_default: bool


@dataclass
class _Scope:
    usages: list[_Usage] = field(default_factory=list)
    spreads: list[str] = field(default_factory=list)


class VariablesAreUsedAndDefined(ValidationRule):
    """Undefined, unused and mismatched variables, through fragments. A variable under an unknown argument or
    field is not used (graphql-ruby stops there), so Shopify also reports it unused."""

    context: ShopifyContext

    def __init__(self, context: ShopifyContext) -> None:
        super().__init__(context)
        self.scopes: dict[str, _Scope] = {}
        self.operations: list[OperationDefinitionNode] = []
        self.current = ""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        self.operations.append(node)
        self.current = f"op:{len(self.operations)}"
        self.scopes[self.current] = _Scope()

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self.current = f"fragment:{node.name.value}"
        self.scopes.setdefault(self.current, _Scope())

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.scopes[self.current].spreads.append(node.name.value)

    def enter_field(self, *_: Any) -> Any:
        return SKIP if self.context.get_parent_type() and self.context.get_field_def() is None else None

    def enter_argument(self, *_: Any) -> Any:
        return SKIP if self.context.get_argument() is None else None

    def enter_variable_definition(self, *_: Any) -> Any:
        return SKIP

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        argument = self.context.get_argument()
        self.scopes[self.current].usages.append(_Usage(
            node, list(self.context.path), self.context.get_input_type(),
            self.context.path[-1] if argument is not None else None,
            self.context.type_info.get_default_value() is not Undefined))

    def leave_document(self, *_: Any) -> None:
        for index, operation in enumerate(self.operations, start=1):
            usages = self._usages(f"op:{index}", set())
            self._check(operation, usages)

    def _usages(self, scope: str, seen: set[str]) -> list[_Usage]:
        if scope in seen or scope not in self.scopes:
            return []
        seen.add(scope)
        found = list(self.scopes[scope].usages)
        for spread in self.scopes[scope].spreads:
            found += self._usages(f"fragment:{spread}", seen)
        return found

    def _check(self, operation: OperationDefinitionNode, usages: list[_Usage]) -> None:
        declared = {d.variable.name.value: d for d in operation.variable_definitions or ()}
        label, word = operation_label(operation), operation_word(operation)
        used = {u.node.name.value for u in usages}
        for usage in usages:
            name = usage.node.name.value
            if name not in declared:
                self.context.report(f"Variable ${name} is used by {word} but not declared", usage.node,
                                    {"code": "variableNotDefined", "variableName": name}, usage.path)
            else:
                self._check_position(declared[name], usage)
        for name, definition in declared.items():
            if name not in used:
                self.context.report(f"Variable ${name} is declared by {word} but not used", definition,
                                    {"code": "variableNotUsed", "variableName": name}, [label])

    def _check_position(self, definition: VariableDefinitionNode, usage: _Usage) -> None:
        declared = type_from_ast(self.context.schema, definition.type)
        expected = usage.expected
        if declared is None or expected is None or usage.argument is None:
            return
        if isinstance(expected, GraphQLNonNull) and not isinstance(declared, GraphQLNonNull):
            if definition.default_value is not None and not isinstance(definition.default_value, NullValueNode):
                declared = GraphQLNonNull(cast(Any, declared))
            elif usage.has_default:
                expected = expected.of_type
        if is_type_sub_type_of(self.context.schema, declared, expected):
            return
        name = definition.variable.name.value
        nullable = get_named_type(declared) == get_named_type(expected) and _depth(declared) == _depth(expected)
        problem = "Nullability mismatch" if nullable else (
            "List dimension mismatch" if get_named_type(declared) == get_named_type(expected) else "Type mismatch")
        self.context.report(f"{problem} on variable ${name} and argument {usage.argument} ({declared} / {expected})",
                            usage.node, {"code": "variableMismatch", "variableName": name,
                                         "typeName": str(declared), "argumentName": usage.argument,
                                         "errorMessage": problem}, usage.path)


def _depth(type_: Any) -> int:
    depth = 0
    while hasattr(type_, "of_type"):
        depth += isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return depth


# ---- graphql-core's own rules, reported in Shopify's words --------------------------------------------
Translate = Callable[[ShopifyContext, GraphQLError], tuple[str, dict[str, Any]] | None]


def _name_of(node: Any) -> str:
    name = getattr(node, "name", None)
    if name is not None and hasattr(name, "value"):
        return str(name.value)
    return str(getattr(node, "value", ""))


def _type_condition(node: Any) -> str:
    if isinstance(node, InlineFragmentNode | FragmentDefinitionNode) and node.type_condition:
        return node.type_condition.name.value
    return _name_of(node)


def _executable(_: ShopifyContext, __: GraphQLError) -> tuple[str, dict[str, Any]]:
    return "Query cannot contain schema definitions", {"code": "queryContainsSchemaDefinitions"}


def _operation_type(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    node = error.nodes[0] if error.nodes else None
    kind = node.operation.value if isinstance(node, OperationDefinitionNode) else "subscription"
    return f"Schema is not configured for {kind}s", {"code": f"missing{kind.capitalize()}Configuration"}


def _unique_operation(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f'Operation name "{name}" must be unique', {"code": "uniquelyNamedOperations", "operationName": name}


def _lone_anonymous(_: ShopifyContext, __: GraphQLError) -> tuple[str, dict[str, Any]]:
    return "Operation name is required when multiple operations are present", {"code": "uniquelyNamedOperations"}


def _single_subscription(_: ShopifyContext, __: GraphQLError) -> tuple[str, dict[str, Any]]:
    return "A subscription may only have one root field", {"code": "notSingleSubscription"}


def _known_type(context: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    if context.variable is not None:
        variable = context.variable.variable.name.value
        return (f"{name} isn't a defined input type (on ${variable})",
                {"code": "variableRequiresValidType", "typeName": name, "variableName": variable})
    return f"No such type {name}, so it can't be a fragment condition", {"code": "undefinedType", "typeName": name}


def _fragment_on_composite(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _type_condition(error.nodes[0]) if error.nodes else ""
    return (f"Invalid fragment on type {name} (must be Union, Interface or Object)",
            {"code": "fragmentOnNonCompositeType", "typeName": name})


def _input_variable(context: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    node = context.variable
    type_name = print_ast(node.type) if node else ""
    variable = node.variable.name.value if node else ""
    return (f"{type_name} isn't a valid input type (on ${variable})",
            {"code": "variableRequiresValidType", "typeName": type_name, "variableName": variable})


def _unique_fragment(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f'Fragment name "{name}" must be unique', {"code": "fragmentNotUnique", "fragmentName": name}


def _known_fragment(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f"Fragment {name} was used, but not defined", {"code": "useAndDefineFragment", "fragmentName": name}


def _unused_fragment(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f"Fragment {name} was defined, but not used", {"code": "useAndDefineFragment", "fragmentName": name}


def _possible_spread(context: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    node = error.nodes[0] if error.nodes else None
    if isinstance(node, FragmentSpreadNode):
        name = node.name.value
        definition = context.get_fragment(name)
        fragment_type = _type_condition(definition) if definition else ""
    else:
        name, fragment_type = "unknown", _type_condition(node)
    parent = context.get_parent_type()
    parent_name = parent.name if parent else ""
    return (f"Fragment {name} on {fragment_type} can't be spread inside {parent_name}",
            {"code": "cannotSpreadFragment", "typeName": fragment_type, "fragmentName": name,
             "parentName": parent_name})


def _fragment_cycle(context: ShopifyContext, __: GraphQLError) -> tuple[str, dict[str, Any]]:
    label = context.path[0] if context.path else ""
    name = label.removeprefix("fragment ")
    return f"Fragment {name} contains an infinite loop", {"code": "infiniteLoop", "fragmentName": name}


def _unique_variable(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f'There can only be one variable named "{name}"', {"code": "variableNotUnique", "variableName": name}


_LOCATIONS = {
    "OperationDefinitionNode": "queries", "FieldNode": "fields", "FragmentDefinitionNode": "fragment definitions",
    "FragmentSpreadNode": "fragment spreads", "InlineFragmentNode": "inline fragments",
    "VariableDefinitionNode": "variable definitions",
}


def _known_directive(context: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    node = error.nodes[0] if error.nodes else None
    name = _name_of(node)
    directive = context.schema.get_directive(name)
    if directive is None:
        return f"Directive @{name} is not defined", {"code": "undefinedDirective", "directiveName": name}
    target = next((n for n in reversed(context.nodes) if not isinstance(n, DirectiveNode)), None)
    where = _LOCATIONS.get(type(target).__name__, "this location")
    if isinstance(target, OperationDefinitionNode) and target.operation.value != "query":
        where = f"{target.operation.value}s"
    allowed = ", ".join(_LOCATIONS.get(f"{loc.name.title().replace('_', '')}Node", loc.name.lower())
                        for loc in directive.locations)
    return (f"'@{name}' can't be applied to {where} (allowed: {allowed})",
            {"code": "directiveCannotBeApplied", "targetName": where, "name": name})


def _unique_directive(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return (f'The directive "{name}" can only be used once at this location.',
            {"code": "directiveNotUniqueForLocation", "directiveName": name})


def _unique_argument(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f'There can be only one argument named "{name}"', {"code": "argumentNotUnique", "name": name}


def _unique_input_field(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    name = _name_of(error.nodes[0]) if error.nodes else ""
    return f'There can be only one input field named "{name}"', {"code": "inputFieldNotUnique", "name": name}


def _field_conflict(_: ShopifyContext, error: GraphQLError) -> tuple[str, dict[str, Any]]:
    fields = [n for n in error.nodes or () if isinstance(n, FieldNode)]
    key = (fields[0].alias or fields[0].name).value if fields else ""
    conflict = key
    for first, second in zip(fields, fields[1:], strict=False):
        if first.name.value != second.name.value:
            conflict, kind = f"{first.name.value} or {second.name.value}", "field"
            break
        if _arguments(first) != _arguments(second):
            conflict, kind = f"{_arguments(first)} or {_arguments(second)}", "argument"
            break
    else:
        kind = "field"
    return (f"Field '{key}' has {'an' if kind == 'argument' else 'a'} {kind} conflict: {conflict}?",
            {"code": "fieldConflict", "fieldName": key, "conflicts": conflict})


def _arguments(node: FieldNode) -> str:
    return "{" + ", ".join(f"{a.name.value}: {ruby_value(a.value)}" for a in node.arguments or ()) + "}"


class _Reporting:
    """A graphql-core rule's view of the context: what it reports is put in Shopify's words first."""

    def __init__(self, shared: ShopifyContext, translate: Translate) -> None:
        self._shared = shared
        self._translate = translate

    def report_error(self, error: GraphQLError) -> None:
        worded = self._translate(self._shared, error)
        if worded is not None:
            message, extensions = worded
            node = error.nodes[0] if error.nodes else None
            path = None
            if not self._shared.path and isinstance(node, OperationDefinitionNode | FragmentDefinitionNode):
                path = [str(_segment(node))]
            self._shared.report(message, node, extensions, path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shared, name)


_CORE_RULES: tuple[tuple[type[ASTValidationRule], Translate], ...] = (
    (core.ExecutableDefinitionsRule, _executable),
    (core.KnownOperationTypesRule, _operation_type),
    (core.UniqueOperationNamesRule, _unique_operation),
    (core.LoneAnonymousOperationRule, _lone_anonymous),
    (core.SingleFieldSubscriptionsRule, _single_subscription),
    (core.KnownTypeNamesRule, _known_type),
    (core.FragmentsOnCompositeTypesRule, _fragment_on_composite),
    (core.VariablesAreInputTypesRule, _input_variable),
    (core.UniqueFragmentNamesRule, _unique_fragment),
    (core.KnownFragmentNamesRule, _known_fragment),
    (core.NoUnusedFragmentsRule, _unused_fragment),
    (core.PossibleFragmentSpreadsRule, _possible_spread),
    (core.NoFragmentCyclesRule, _fragment_cycle),
    (core.UniqueVariableNamesRule, _unique_variable),
    (core.KnownDirectivesRule, _known_directive),
    (core.UniqueDirectivesPerLocationRule, _unique_directive),
    (core.UniqueArgumentNamesRule, _unique_argument),
    (core.OverlappingFieldsCanBeMergedRule, _field_conflict),
    (core.UniqueInputFieldNamesRule, _unique_input_field),
)

_OWN_RULES: tuple[type[ValidationRule], ...] = (
    SelectionsMatch, FieldsAreDefined, ArgumentsAreDefined, ArgumentLiteralsAreCompatible,
    RequiredArgumentsArePresent, VariablesAreUsedAndDefined,
)


def validate_document(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
    """Every static error of ``document``, each already in Shopify's shape (see ``shopify_error``)."""
    errors: list[GraphQLError] = []

    def on_error(error: GraphQLError) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append(error)

    type_info = TypeInfo(schema)
    context = ShopifyContext(schema, document, type_info, on_error)
    rules: list[Visitor] = [rule(_Reporting(context, translate)) for rule, translate in _CORE_RULES]  # type: ignore[arg-type]
    rules += [rule(context) for rule in _OWN_RULES]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    guard = [FragmentNestingVisitor(fragments)] if fragments else []
    visitor = ParallelVisitor([*guard, _PathEnter(context), *rules, _PathLeave(context)])
    try:
        visit(document, TypeInfoVisitor(type_info, visitor))
    except ValidationAbortedError:
        # UNCONFIRMED wording: graphql-ruby has no such limit; a document nesting fragments this deeply is hostile.
        errors.append(GraphQLError("Query has fragments nested too deeply", path=[],
                                   extensions={"code": "fragmentsNestedTooDeeply"}))
    return errors


def shopify_error(error: GraphQLError) -> dict[str, Any]:
    """A validation error as Shopify writes it: message, locations, path, extensions."""
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["path"] = list(error.path or [])
    out["extensions"] = dict(error.extensions or {})
    return out
