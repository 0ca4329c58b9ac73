"""What a finished import did, read from its result file: which lines failed and why, joined with their
input lines, and the exit code a script can act on.

A line failed when its result has top-level ``errors`` (bad JSON, bad variables, a resolver error) or a payload
with non-empty ``userErrors`` (the mutation refused it and wrote nothing); spec 3.6.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from bulkops.client.models import BulkOperation

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


@dataclass
class Outputs:
    """Where a report goes besides the terminal: ``--results`` (the result file, with the input's line numbers),
    ``--failures`` (each failure with its variables and errors) and ``FILE.failed.jsonl`` (the failed input
    lines as they were, to fix and import again)."""

    results: IO[bytes] | None = None
    failures: IO[bytes] | None = None
    failed_lines: IO[bytes] | None = None


def failure_record(failure: LineFailure, raw: bytes) -> dict[str, Any]:
    """One line of the ``--failures`` file: ``{"__lineNumber", "variables", "errors"}``, plus ``input`` (the
    line's text) when the line was not a JSON object, so a fixed file can be rebuilt from it."""
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


def tally_results(result_lines: Iterable[bytes], *, keep: int = 20, tally: Tally | None = None, start: int = 0,
                  inputs: Callable[[int], bytes] | None = None, outputs: Outputs | None = None) -> Tally:
    """One pass over one operation's result file, added to ``tally``: counts and the first ``keep`` failures.
    Its ``__lineNumber``s count from the part's ``start`` in the input; given ``inputs`` (the part's line by
    its number) and ``outputs``, each failure is joined with its input line and written out."""
    tally = tally if tally is not None else Tally()
    outputs = outputs or Outputs()
    failed_here = array("q")
    for raw in result_lines:
        if not raw.strip():
            continue
        tally.results += 1
        result = _result(raw)
        local = result.get("__lineNumber") if isinstance(result, dict) else None
        local = local if isinstance(local, int) else None
        if outputs.results is not None:
            outputs.results.write(_renumbered(raw, result, local, start))
        errors = line_errors(result) if isinstance(result, dict) else [{"message": "result line is not an object"}]
        if not errors:
            continue
        tally.failed += 1
        failure = LineFailure(-1 if local is None else local + start, errors)
        if len(tally.first_failures) < keep:
            tally.first_failures.append(failure)
        if inputs is not None and local is not None:
            failed_here.append(local)
        if outputs.failures is not None and inputs is not None:
            outputs.failures.write(orjson.dumps(failure_record(failure, inputs(-1 if local is None else local)))
                                   + b"\n")
    if outputs.failed_lines is not None and inputs is not None:
        for local in sorted(failed_here):
            outputs.failed_lines.write(inputs(local) + b"\n")
    return tally


def _result(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return {"errors": [{"message": f"unreadable result line: {exc}"}]}


def _renumbered(raw: bytes, result: Any, local: int | None, start: int) -> bytes:
    """The result line with the input's line number (as it came when its part starts the input)."""
    if not start or local is None:
        return raw.rstrip(b"\n") + b"\n"
    return orjson.dumps({**result, "__lineNumber": local + start}) + b"\n"


@dataclass
class ImportReport:
    """What a whole import did: its operations (one a part, run in sequence), the lines it ran, and the counts
    and first failures of their result files, by the input's line numbers; ``written`` names the files made."""

    operations: list[BulkOperation] = field(default_factory=list)
    lines: int = 0
    tally: Tally = field(default_factory=Tally)
    written: dict[str, str] = field(default_factory=dict)
    user_errors: list[dict[str, Any]] = field(default_factory=list)
    """Why the server refused to start a part (``bulkOperationRunMutation``'s userErrors)."""
    waited: bool = True
    """False: the operations were started and left running, so nothing is counted."""

    @property
    def status(self) -> str:
        """The last operation's status (an import stops at the first part that does not complete)."""
        return self.operations[-1].status if self.operations else "NOT_STARTED"

    @property
    def exit_code(self) -> int:
        """``import_exit_code``; 2 when a part was refused, 0 for operations started without waiting."""
        if self.user_errors or not self.operations:
            return EXIT_NOT_DONE
        return import_exit_code(self.status, self.lines, self.tally) if self.waited else EXIT_OK


def import_exit_code(status: str, lines: int, tally: Tally) -> int:
    """0: every line succeeded; 1: the operation completed but some lines failed (or have no result line);
    2: the operation did not complete (FAILED, CANCELED, EXPIRED)."""
    if status != "COMPLETED":
        return EXIT_NOT_DONE
    return EXIT_SOME_LINES_FAILED if tally.failed or tally.results < lines else EXIT_OK
