"""Each line's variables checked against the mutation's variable types, as graphql-core's coercion would check
them, at a few microseconds a line: a fast walk answers "surely valid" for the common good line, and only a line it
is not sure of goes through ``get_variable_values`` itself, which words the errors. The walk never calls a line
valid that graphql-core refuses (``tests/client/test_coercion.py`` compares them on generated values)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    Undefined,
    assert_input_type,
    get_variable_values,
    is_required_input_field,
    type_from_ast,
)

MAX_DEPTH = 64
"""Deeper values are left to graphql-core, which has its own nesting limit."""


@dataclass(frozen=True)
class _Signature:
    name: str
    type: GraphQLInputType
    has_default: bool


class VariablesCheck:
    """graphql-core's coercion messages for one line's variables, as ``errors`` on its result line would carry them."""

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode) -> None:
        self.schema = schema
        self.definitions = operation.variable_definitions or ()
        self.signatures = [_Signature(d.variable.name.value, assert_input_type(type_from_ast(schema, d.type)),
                                      d.default_value is not None)
                           for d in self.definitions]
        self.walks = [(s.name, _check(s.type), s.has_default or isinstance(s.type, GraphQLNonNull))
                      for s in self.signatures]
        """Each variable's name, its check, and whether its absence needs graphql-core (a default or a
        required variable): made once, as a line's hot path walks only these."""

    def __call__(self, variables: dict[str, object]) -> Iterator[str]:
        return iter(()) if self.surely_valid(variables) else self.messages(variables)

    def messages(self, variables: dict[str, object]) -> Iterator[str]:
        """graphql-core's own answer: slower, and worded."""
        coerced = get_variable_values(self.schema, self.definitions, variables)
        if isinstance(coerced, list):
            yield from (error.message for error in coerced)

    def surely_valid(self, variables: dict[str, object]) -> bool:
        """True only when graphql-core accepts these variables; False when it may not (a default to apply, too)."""
        for name, check, needed in self.walks:
            value = variables.get(name, Undefined)
            if value is Undefined:
                if needed:
                    return False
            elif not check(value, 0):
                return False
        return True


Check = Callable[[object, int], bool]
"""Whether graphql-core surely accepts a value (at a nesting depth) as one input type."""


def surely_valid(value: object, type_: GraphQLInputType) -> bool:
    """True only when graphql-core's ``coerce_input_value`` accepts ``value`` as ``type_``."""
    return _check(type_)(value, 0)


@cache
def _check(type_: GraphQLInputType) -> Check:
    """The check of one input type, made once: a line walks only plain functions."""
    if isinstance(type_, GraphQLNonNull):
        inner = _check(type_.of_type)
        return lambda value, depth: value is not None and inner(value, depth)
    if isinstance(type_, GraphQLList):
        return _list_check(type_)
    if isinstance(type_, GraphQLInputObjectType):
        return _object_check(type_)
    return _leaf_check(cast(GraphQLLeafType, type_))


def _list_check(type_: GraphQLList[Any]) -> Check:
    item = _check(type_.of_type)

    def check(value: object, depth: int) -> bool:
        if value is None:
            return True
        if depth > MAX_DEPTH:
            return False
        if not isinstance(value, list):
            return item(value, depth + 1)
        return all([item(v, depth + 1) for v in value])

    return check


def _object_check(type_: GraphQLInputObjectType) -> Check:
    """A one-of input is left to graphql-core; so is an unknown or a missing required field."""
    fields = type_.fields
    names = fields.keys()
    required = frozenset(name for name, field in fields.items() if is_required_input_field(field))
    checks: dict[str, Check] = {}
    left_to_graphql_core = type_.is_one_of

    def check(value: object, depth: int) -> bool:
        if value is None:
            return True
        if left_to_graphql_core or depth > MAX_DEPTH or not isinstance(value, dict):
            return False
        if not value.keys() <= names or not required <= value.keys():
            return False
        depth += 1
        for name, item in value.items():
            field_check = checks.get(name)
            if field_check is None:
                field_check = checks[name] = _check(fields[name].type)
            if not field_check(item, depth):
                return False
        return True

    return check


def _leaf_check(type_: GraphQLLeafType) -> Check:
    """A string for String and ID, a value's name for an enum; anything else as the type itself coerces it."""
    names = frozenset(type_.values) if isinstance(type_, GraphQLEnumType) else frozenset()
    takes_any_string = type_ is GraphQLString or type_ is GraphQLID

    def check(value: object, _depth: int) -> bool:
        if value is None or (isinstance(value, str) and (takes_any_string or value in names)):
            return True
        try:
            return type_.coerce_input_value(cast(Any, value)) is not Undefined
        except Exception:  # noqa: BLE001 (a leaf refuses a value by raising anything, as graphql-core reads it)
            return False

    return check
