"""GraphQL errors as Shopify words them (spec 1.4): graphql-core's messages reworded, codes attached."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from bulkops.protocol.errors import RequestError, UserFacingError
from bulkops.protocol.ids import InvalidGlobalId
from bulkops.protocol.mutation_document import ruby_style_syntax_error

INVALID_ARGUMENT = "Argument has an invalid value ({v}). Expected type '{t}'."
_REWORDS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^Cannot query field '(?P<f>\w+)' on type '(?P<t>\w+)'\..*$", re.S),
     "Field '{f}' doesn't exist on type '{t}'", "undefinedField"),
    (re.compile(r"^Unknown argument '(?P<a>\w+)' on field '\w+\.(?P<f>\w+)'\..*$", re.S),
     "Field '{f}' doesn't accept argument '{a}'", "argumentNotAccepted"),
    (re.compile(r"^Argument '\w+\.(?P<f>\w+)\((?P<a>\w+):\)' of type '.*' is required, but it was not provided\.$"),
     "Field '{f}' is missing required arguments: {a}", "missingRequiredArguments"),
    (re.compile(r"^Variable '\$(?P<v>\w+)' is never used.*$"),
     "Variable ${v} is declared by {op} but not used", "variableNotUsed"),
    (re.compile(r"^Variable '\$(?P<v>\w+)' is not defined.*$"),
     "Variable ${v} is used by {op} but not declared", "variableNotDefined"),
    (re.compile(r"^Enum '(?P<t>\w+)' cannot represent non-enum value: (?P<v>.+?)\..*$", re.S),
     INVALID_ARGUMENT, "argumentLiteralsIncompatible"),
]

_UNPARSABLE_LITERAL = re.compile(r"^Expected value of type '(?P<t>[^']+)', but encountered error .*; found: (?P<v>.*)\.$",
                                 re.S)
"""A literal the scalar could not even read (an integer of thousands of digits is past Python's conversion
limit): the client's mistake, worded as Shopify words any literal of the wrong type."""
_VARIABLE = re.compile(r"^Variable '\$(?P<v>\w+)' has invalid value(?: at (?P<path>\S+))?: (?P<why>.*)$", re.S)
_PATH_PART = re.compile(r"\.(\w+)|\[(\d+)\]")


def _explain(why: str, path: list[Any]) -> tuple[list[Any], str]:
    """graphql-core's reason, as Shopify's ``problems[].explanation``, with the path it points at."""
    unknown = re.match(r"Expected value of type '(\w+)' not to include unknown field '(\w+)'", why)
    if unknown:
        return [*path, unknown.group(2)], f"Field is not defined on {unknown.group(1)}"
    required = re.match(r"Expected value of type '\w+!?' to include required field '(\w+)'", why)
    if required:
        return [*path, required.group(1)], "Expected value to not be null"
    if re.match(r"Expected (a )?value of non-null type", why):
        return path, "Expected value to not be null"
    return path, why.rstrip(".")


def _variable_error(error: GraphQLError, variable_types: dict[str, str],
                    variables: dict[str, Any] | None) -> dict[str, Any] | None:
    match = _VARIABLE.match(error.message)
    if not match:
        return None
    name = match.group("v")
    path: list[Any] = [int(i) if i else f for f, i in _PATH_PART.findall(match.group("path") or "")]
    path, explanation = _explain(match.group("why"), path)
    where = ".".join(str(p) for p in path)
    message = f"Variable ${name} of type {variable_types.get(name, '')} was provided invalid value"
    if where:
        message += f" for {where} ({explanation})"
    return {
        "message": message,
        "extensions": {"value": (variables or {}).get(name), "problems": [{"path": path, "explanation": explanation}],
                       "code": "INVALID_VARIABLE"},
    }


def format_error(error: GraphQLError, variable_types: dict[str, str] | None = None,
                 variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One entry of a response's ``errors`` in Shopify's shape."""
    variable = _variable_error(error, variable_types or {}, variables)
    if variable is not None:
        return {**variable, **({"locations": [{"line": loc.line, "column": loc.column} for loc in error.locations]} if error.locations else {})}
    original = error.original_error
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    if isinstance(original, RequestError):
        out["message"] = original.message
        out["extensions"] = {"code": original.code, **original.extensions}
        return out
    if isinstance(original, InvalidGlobalId):
        out["message"] = str(original)
        out["extensions"] = {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}
        return out
    if isinstance(original, UserFacingError):
        out["extensions"] = {"code": "BAD_REQUEST"}
        return out
    literal = _UNPARSABLE_LITERAL.match(error.message)
    if literal and isinstance(original, ValueError | OverflowError):
        out["message"] = INVALID_ARGUMENT.format(**literal.groupdict())
        out["extensions"] = {"code": "argumentLiteralsIncompatible"}
        return out
    if original is not None:
        out["message"] = "Internal error. Looks like something went wrong on our end."
        out["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
        return out
    if error.message.startswith("Syntax Error"):
        return {"message": ruby_style_syntax_error(error), **({"locations": out["locations"]} if error.locations else {}),
                "extensions": {"code": "PARSE_ERROR"}}
    for pattern, template, code in _REWORDS:
        match = pattern.match(error.message)
        if match:
            out["message"] = template.format(op="anonymous operation", **match.groupdict())
            out["extensions"] = {"code": code}
            return out
    if "Invalid global id" in error.message:
        raw = re.search(r"Invalid global id '([^']*)'", error.message)
        out["message"] = f"Invalid global id '{raw.group(1) if raw else ''}'"
        out["extensions"] = {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}
        return out
    out["extensions"] = {"code": error.extensions.get("code", "GRAPHQL_VALIDATION_FAILED")
                         if error.extensions else "GRAPHQL_VALIDATION_FAILED"}
    return out
