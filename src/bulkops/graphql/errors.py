"""Execution-time and parse errors in Shopify's shapes (spec 1.4).

Static validation errors are built in Shopify's shape by the rules themselves (``graphql/validation.py``) and
invalid variables by ``graphql/variables.py``; this module shapes what remains: a resolver's error (its code,
or ``BAD_REQUEST``, or Shopify's internal error) and a document that does not parse.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError, VariableDefinitionNode, print_ast

from bulkops.protocol.errors import RequestError, UserFacingError
from bulkops.protocol.ids import InvalidGlobalId
from bulkops.protocol.mutation_document import ruby_style_syntax_error, unexpected_token

INTERNAL_ERROR = "Internal error. Looks like something went wrong on our end."
log = logging.getLogger(__name__)


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def parse_error(error: GraphQLError) -> dict[str, Any]:
    """A document that does not parse: ``syntax error, unexpected end of file at [3, 5]`` (REC)."""
    line, column, _ = unexpected_token(error)
    return {"message": ruby_style_syntax_error(error), "locations": [{"line": line, "column": column}],
            "extensions": {"code": "PARSE_ERROR"}}


def format_error(error: GraphQLError) -> dict[str, Any]:
    """An execution error as Shopify writes it: message, locations, extensions, path (REC key order)."""
    original = error.original_error
    if original is None and error.nodes and isinstance(error.nodes[0], VariableDefinitionNode):
        return _unchecked_variable(error, error.nodes[0])
    message, extensions = _worded(original)
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = _locations(error)
    out["extensions"] = extensions
    if error.path:
        out["path"] = list(error.path)
    return out


def _worded(original: BaseException | None) -> tuple[str, dict[str, Any]]:
    if isinstance(original, RequestError):
        return original.message, {"code": original.code, **original.extensions}
    if isinstance(original, InvalidGlobalId):
        return str(original), {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}
    if isinstance(original, UserFacingError):
        return str(original), {"code": "BAD_REQUEST"}
    if original is not None:
        log.error("internal error answered as INTERNAL_SERVER_ERROR", exc_info=original)
    return INTERNAL_ERROR, {"code": "INTERNAL_SERVER_ERROR"}


def _unchecked_variable(error: GraphQLError, definition: VariableDefinitionNode) -> dict[str, Any]:
    """A variable graphql-core refused that ``graphql/variables.py`` let through: still Shopify's envelope."""
    return {
        "message": f"Variable ${definition.variable.name.value} of type {print_ast(definition.type)} "
                   "was provided invalid value",
        "locations": _locations(error),
        "extensions": {"code": "INVALID_VARIABLE", "value": None, "problems": []},
    }
