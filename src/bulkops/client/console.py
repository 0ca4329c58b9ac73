"""How the client commands speak: problems found before upload, the progress bar, the summary and the
failure report. Line numbers are shown counting from 1 (as an editor shows them); files keep Shopify's
0-based ``__lineNumber``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console

from bulkops.client.report import describe

if TYPE_CHECKING:
    from bulkops.client.checks import Checked  # its graphql-core is needed only where an import is checked
    from bulkops.client.models import BulkOperation
    from bulkops.client.report import ImportReport

MESSAGE_CHARS = 300
"""A message longer than this is cut in the terminal (graphql-core quotes whole values); files keep it whole."""


def line_label(number: int | None) -> str:
    if number is None:
        return "file"
    return f"line {number + 1}" if number >= 0 else "line ?"


def _cut(text: str) -> str:
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def say(console: Console, text: str, style: str | None = None) -> None:
    """Plain text (user data may hold ``[brackets]``), never wrapped mid-message."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def show_checked(console: Console, checked: Checked, name: str, show: int) -> None:
    """The local checks' verdict, the first ``show`` problems, and what was not checked."""
    for note in checked.notes:
        say(console, f"note: {note}", "yellow")
    if checked.ok:
        say(console, f"{name}: {_count(checked.lines, 'line')}, no problems found.", "green")
        return
    for problem in checked.problems[:show]:
        label = {"file": name, "mutation": "mutation"}.get(problem.subject, f"{name}:{(problem.line or 0) + 1}")
        say(console, f"{label}: {_cut(problem.message)}", "red" if problem.fatal else None)
    hidden = len(checked.problems) - min(show, len(checked.problems))
    if hidden:
        say(console, f"… and {_count(hidden, 'more problem')}.")
    say(console, f"{name}: {_count(checked.lines, 'line')}, {checked.bad_lines} with problems"
        f"{', the server would refuse this run' if checked.fatal else ''}.")


def show_user_errors(console: Console, what: str, errors: list[dict[str, Any]]) -> None:
    say(console, f"{what} refused:", "red")
    for error in errors:
        say(console, f"  {describe(error)}", "red")


def show_operation(console: Console, state: dict[str, Any]) -> None:
    code = f" ({state['errorCode']})" if state.get("errorCode") else ""
    say(console, f"{state['id']}: {state['status']}{code}", "green" if state["status"] == "COMPLETED" else "red")


def show_import_summary(console: Console, report: ImportReport) -> None:
    """Each operation's status, the counts, where the files went, and the first failures with their messages."""
    for state in report.operations:
        show_operation(console, state.raw)
    tally, lines = report.tally, report.lines
    rows: list[tuple[str, int | str]] = [("lines", lines), ("succeeded", tally.succeeded), ("failed", tally.failed)]
    if tally.results < lines:
        rows.append(("no result", lines - tally.results))
    rows += [(what, f"written to {path}") for what, path in report.written.items()]
    for key, value in rows:
        say(console, f"  {key:<10} {value}")
    if not tally.first_failures:
        return
    say(console, "Failed lines (counted from 1; files carry the 0-based __lineNumber):")
    for failure in tally.first_failures:
        for error in failure.errors:
            say(console, f"  {line_label(failure.line)}: {_cut(describe(error))}")
    if tally.failed > len(tally.first_failures):
        where = report.written.get("failures")
        where = f" (all in {where})" if where else " (--failures FILE lists them all)"
        say(console, f"  … and {_count(tally.failed - len(tally.first_failures), 'more failed line')}{where}")


def show_operations(console: Console, operations: list[BulkOperation]) -> None:
    """``bulkops operations``: one row an operation, newest first."""
    if not operations:
        say(console, "no bulk operations")
        return
    for operation in operations:
        code = f" {operation.error_code}" if operation.error_code else ""
        say(console, f"{operation.id}  {operation.type or '':<8} {operation.status + code:<30} "
            f"{operation.created_at or '':<20}  {operation.object_count:>10} objects")


def show_state_summary(console: Console, state: dict[str, Any], written: str | None) -> None:
    show_operation(console, state)
    for key in ("objectCount", "rootObjectCount", "fileSize"):
        say(console, f"  {key:<16} {state.get(key) or 0}")
    if written:
        say(console, f"  {'results':<16} written to {written}")
