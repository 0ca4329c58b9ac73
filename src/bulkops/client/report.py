"""What a finished import did, read from its result file: which lines failed and why, joined with their
input lines, and the exit code a script can act on.

A line failed when its result has top-level ``errors`` (bad JSON, bad variables, a resolver error) or a payload
with non-empty ``userErrors`` (the mutation refused it and wrote nothing); spec 3.6.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from bulkops.client.lines import LineIndex

EXIT_OK, EXIT_SOME_LINES_FAILED, EXIT_NOT_DONE = 0, 1, 2


def line_errors(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A result line's failures, verbatim: its top-level ``errors``, then each payload's ``userErrors``."""
    errors = [e for e in result.get("errors") or [] if isinstance(e, dict)]
    data = result.get("data")
    if isinstance(data, dict):
        for payload in data.values():
            if isinstance(payload, dict) and isinstance(payload.get("userErrors"), list):
                errors.extend(e for e in payload["userErrors"] if isinstance(e, dict))
    return errors


def describe(error: dict[str, Any]) -> str:
    """One error as a person reads it: ``field.path: message (CODE)``, for userErrors and GraphQL errors alike."""
    text = str(error.get("message"))
    path = error.get("field")
    if path:
        text = f"{'.'.join(str(part) for part in path)}: {text}"
    code = error.get("code") or (error.get("extensions") or {}).get("code")
    return f"{text} ({code})" if code else text


@dataclass(frozen=True)
class LineFailure:
    line: int
    """The input line's ``__lineNumber`` (0-based; -1 when the result line had none)."""
    errors: list[dict[str, Any]]


@dataclass
class Tally:
    """Counts over a result file, and the first few failures for the report."""

    results: int = 0
    failed: int = 0
    first_failures: list[LineFailure] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return self.results - self.failed


def failure_record(failure: LineFailure, inputs: LineIndex) -> dict[str, Any]:
    """One line of the ``--failures`` file: ``{"__lineNumber", "variables", "errors"}``, plus ``input`` (the
    line's text) when the line was not a JSON object, so a fixed file can be rebuilt from it."""
    raw = inputs[failure.line]
    try:
        variables = orjson.loads(raw)
    except orjson.JSONDecodeError:
        variables = None
    record: dict[str, Any] = {"__lineNumber": failure.line,
                              "variables": variables if isinstance(variables, dict) else None}
    if record["variables"] is None:
        record["input"] = raw.decode("utf-8", "replace")
    record["errors"] = failure.errors
    return record


def tally_results(result_lines: Iterable[bytes], *, keep: int = 20, inputs: LineIndex | None = None,
                  failures_out: IO[bytes] | None = None) -> Tally:
    """One pass over a result file: counts, the first ``keep`` failures, and (given ``inputs`` and
    ``failures_out``) every failure joined with its input line, one JSON object a line."""
    tally = Tally()
    for raw in result_lines:
        if not raw.strip():
            continue
        tally.results += 1
        try:
            result = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            result = {"errors": [{"message": f"unreadable result line: {exc}"}]}
        errors = line_errors(result) if isinstance(result, dict) else [{"message": "result line is not an object"}]
        if not errors:
            continue
        tally.failed += 1
        number = result.get("__lineNumber") if isinstance(result, dict) else None
        failure = LineFailure(number if isinstance(number, int) else -1, errors)
        if len(tally.first_failures) < keep:
            tally.first_failures.append(failure)
        if failures_out is not None and inputs is not None:
            failures_out.write(orjson.dumps(failure_record(failure, inputs)) + b"\n")
    return tally


def import_exit_code(status: str, lines: int, tally: Tally) -> int:
    """0: every line succeeded; 1: the operation completed but some lines failed (or have no result line);
    2: the operation did not complete (FAILED, CANCELED, EXPIRED)."""
    if status != "COMPLETED":
        return EXIT_NOT_DONE
    return EXIT_SOME_LINES_FAILED if tally.failed or tally.results < lines else EXIT_OK
