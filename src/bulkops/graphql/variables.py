"""Request variables checked before execution, reported as Shopify reports them (spec 1.4, ``INVALID_VARIABLE``).

Each problem names where it is (``path``: input-field names and list indexes) and why (``explanation``):

=======================================  ==========================================================  ==========
case                                     explanation                                                 evidence
=======================================  ==========================================================  ==========
null or missing for a non-null type      Expected value to not be null                               REC
unknown input-object field               Field is not defined on ProductInput                        REC (DOC)
enum value not in the enum               Expected "BANANA" to be one of: COLLECTION_IMAGE, FILE, ... REC
malformed global id                      Invalid global id 'x' (also as the problem's ``message``)   REC
scalar of the wrong kind                 Could not coerce value 5 to String                          UNCONFIRMED
not an object for an input object        Expected 5 to be a key-value object.                        UNCONFIRMED
=======================================  ==========================================================  ==========

The message is ``Variable $name of type T was provided invalid value``, followed by
`` for <path> (<explanation>)`` for each problem that has a path (graphql-ruby); ``locations`` is the variable's
definition; ``extensions`` carry the code, the value sent and the problems.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    is_input_type,
    is_required_input_field,
    print_ast,
    type_from_ast,
)
from graphql.pyutils import Undefined

from bulkops.protocol.ids import InvalidGlobalId, check_global_id

NOT_NULL = "Expected value to not be null"

DEFINITION_ORDER: dict[str, tuple[str, ...]] = {
    "StagedUploadTargetGenerateUploadResource": (
        "COLLECTION_IMAGE", "FILE", "IMAGE", "MODEL_3D", "PRODUCT_IMAGE", "SHOP_IMAGE", "VIDEO",
        "BULK_MUTATION_VARIABLES", "RETURN_LABEL", "URL_REDIRECT_IMPORT", "DISPUTE_FILE_UPLOAD",
    ),
}
"""Enums whose values Shopify lists in its own definition order (REC); the SDL, like introspection, sorts them.
Other enums are listed in SDL order (UNCONFIRMED)."""


def variable_errors(schema: GraphQLSchema, operation: OperationDefinitionNode,
                    variables: dict[str, Any]) -> list[dict[str, Any]]:
    """One error per declared variable whose value does not fit its type; empty when all fit."""
    errors = []
    for definition in operation.variable_definitions or ():
        type_ = type_from_ast(schema, definition.type)
        if type_ is None or not is_input_type(type_):
            continue
        name = definition.variable.name.value
        if name not in variables and definition.default_value is not None:
            continue
        problems = input_problems(variables.get(name), type_, [])
        if problems:
            errors.append(invalid_variable(definition, variables.get(name), problems))
    return errors


def invalid_variable(definition: VariableDefinitionNode, value: Any, problems: list[dict[str, Any]]
                     ) -> dict[str, Any]:
    """The ``INVALID_VARIABLE`` error of one variable."""
    message = (f"Variable ${definition.variable.name.value} of type {print_ast(definition.type)} "
               "was provided invalid value")
    located = [f"{'.'.join(str(p) for p in problem['path'])} ({problem['explanation']})"
               for problem in problems if problem["path"]]
    if located:
        message += " for " + ", ".join(located)
    error: dict[str, Any] = {"message": message}
    if definition.loc is not None:
        error["locations"] = [{"line": definition.loc.start_token.line, "column": definition.loc.start_token.column}]
    error["extensions"] = {"code": "INVALID_VARIABLE", "value": value, "problems": problems}
    return error


def input_problems(value: Any, type_: GraphQLInputType, path: list[str | int]) -> list[dict[str, Any]]:
    """Everything wrong with ``value`` as a ``type_``, innermost first, in input order."""
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            return [_problem(path, NOT_NULL)]
        return input_problems(value, type_.of_type, path)
    if value is None:
        return []
    if isinstance(type_, GraphQLList):
        if isinstance(value, list):
            return [p for index, item in enumerate(value) for p in input_problems(item, type_.of_type, [*path, index])]
        return input_problems(value, type_.of_type, path)
    if isinstance(type_, GraphQLInputObjectType):
        return _object_problems(value, type_, path)
    if isinstance(type_, GraphQLEnumType):
        if isinstance(value, str) and value in type_.values:
            return []
        return [_problem(path, f"Expected {ruby_inspect(value)} to be one of: {', '.join(enum_values(type_))}")]
    assert isinstance(type_, GraphQLScalarType)
    return _scalar_problems(value, type_, path)


def enum_values(type_: GraphQLEnumType) -> list[str]:
    """The enum's values in the order Shopify lists them."""
    order = DEFINITION_ORDER.get(type_.name, ())
    known = [name for name in order if name in type_.values]
    return known + [name for name in type_.values if name not in order]


def _object_problems(value: Any, type_: GraphQLInputObjectType, path: list[str | int]) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return [_problem(path, f"Expected {ruby_inspect(value)} to be a key-value object.")]
    problems = [_problem([*path, key], f"Field is not defined on {type_.name}") for key in value
                if key not in type_.fields]
    for name, definition in type_.fields.items():
        if name in value:
            problems += input_problems(value[name], definition.type, [*path, name])
        elif is_required_input_field(definition):
            problems.append(_problem([*path, name], NOT_NULL))
    return problems


def _scalar_problems(value: Any, type_: GraphQLScalarType, path: list[str | int]) -> list[dict[str, Any]]:
    if type_.name == "ID":
        if not isinstance(value, str | int) or isinstance(value, bool):
            return [_problem(path, f"Could not coerce value {ruby_inspect(value)} to ID")]
        try:
            check_global_id(str(value))
        except InvalidGlobalId as exc:
            return [{**_problem(path, str(exc)), "message": str(exc)}]
        return []
    try:
        parsed = type_.parse_value(value)
    except (GraphQLError, TypeError, ValueError, ArithmeticError):
        parsed = Undefined
    if parsed is Undefined:
        return [_problem(path, f"Could not coerce value {ruby_inspect(value)} to {type_.name}")]
    return []


def _problem(path: list[str | int], explanation: str) -> dict[str, Any]:
    return {"path": list(path), "explanation": explanation}


def ruby_inspect(value: Any) -> str:
    """A JSON value as Ruby's ``inspect`` shows it in graphql-ruby's explanations."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(ruby_inspect(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}=>{ruby_inspect(v)}" for k, v in value.items()) + "}"
    return str(value)
