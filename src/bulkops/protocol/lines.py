"""Reading one line of a bulk mutation's JSONL input: its variables, or the result line saying why it cannot
run. The server's runner and the client's checks both decode lines here, so the client words a bad line exactly
as the result file will."""

from __future__ import annotations

from typing import Any

import orjson


def line_error(message: str, code: str) -> dict[str, Any]:
    """A result line carrying one top-level error with its ``extensions.code``."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def decode_variables(raw: bytes) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The line's variables, or the response saying why the line cannot run (UNCONFIRMED wording:
    Shopify reports JSON errors on the line, but its exact message is not recorded)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return None, line_error(f"Failed to parse the JSONL line: {exc}", "INVALID_JSONL")
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(value), "null"
        )
        return None, line_error(
            f"Each JSONL line must be a JSON object holding the mutation's variables; this line is {kind}.",
            "INVALID_JSONL",
        )
    return value, None
