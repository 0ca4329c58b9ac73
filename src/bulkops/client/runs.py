"""An import as a run of operations: the input's parts uploaded, run and followed one after the other, their
result files read into one report by the input's line numbers, and the files the user asked for written; and the
pieces an export or ``watch`` shares (following an operation, fetching its result file). Used by the CLI
(``session``) and the SDK (``BulkClient.import_file``); progress and messages go to the consoles given."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import httpx
import orjson
from rich.console import Console

from bulkops.client import console as ui
from bulkops.client.inputs import (
    MAX_FILE_BYTES,
    LineSet,
    Part,
    Selection,
    failed_lines_path,
    input_name,
    parts,
)
from bulkops.client.live import NoLiveProgress, live_operation, supports_live_progress
from bulkops.client.models import BulkOperation
from bulkops.client.progress import DEFAULT_EVERY, progress
from bulkops.client.report import ImportReport, Outputs, tally_results

if TYPE_CHECKING:
    from bulkops.client.sdk import BulkClient


class FlowError(Exception):
    """A reason to stop that the user can act on (no URL, an unreachable server, a refused request)."""


@dataclass(frozen=True)
class Polling:
    interval: float = 1.0
    timeout: float | None = None
    """Seconds to follow the operation before giving up (it keeps running on the server); None: no limit."""


def follow(client: BulkClient, operation: dict[str, Any], polling: Polling, on_state: Callable[[dict[str, Any]], None]
           ) -> dict[str, Any]:
    """Poll until the operation finishes; Ctrl-C stops following (not the operation) and says how to resume.
    From a bulkops server each state also carries its ``live`` progress (exact totals, the server's rate and ETA);
    from Shopify, only ``objectCount``."""
    state = operation
    live = supports_live_progress(client.http)
    try:
        for state in client.follow(operation["id"], polling.interval, polling.timeout or math.inf):
            on_state(with_live_progress(client, state) if live else state)
    except KeyboardInterrupt:
        raise FlowError(f"stopped following {operation['id']}; it keeps running on the server "
                        f"(`bulkops watch {operation['id']}` to follow it again, `bulkops cancel` to stop it)") from None
    return state


def with_live_progress(client: BulkClient, state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with the server's live progress under ``live`` (as it was, if that cannot be read now)."""
    try:
        answer = live_operation(client.http, state["id"])
    except (NoLiveProgress, httpx.HTTPError):
        return state
    return {**state, "live": answer["progress"]} if answer else state


def fetch_result(client: BulkClient, state: dict[str, Any], out: IO[bytes]) -> bool:
    """The result file (``url``), or what a failed or canceled run left (``partialDataUrl``), into ``out``."""
    url = state.get("url") or state.get("partialDataUrl")
    if not url:
        return False
    client.download_to(url, out)
    return True


@dataclass(frozen=True)
class ImportRequest:
    file: Path
    mutation: str
    client_identifier: str | None = None
    results: Path | None = None
    failures: Path | None = None
    wait: bool = True
    show: int = 20
    """Failed lines (or problems) printed; the --failures file has them all."""
    selection: Selection = field(default_factory=Selection)
    max_bytes: int = MAX_FILE_BYTES
    """The server's upload limit: a larger input goes up in parts, run one after the other."""
    progress_every: float = DEFAULT_EVERY
    command: str | None = None
    """How the user ran it, to say how to resume (a CSV's JSONL is converted into a temporary file)."""
    resumed: tuple[str, ...] = ()
    """The ``--resume`` specs this run was given: a run that stops again names them too."""


def operation_gid(identifier: str) -> str:
    """``gid://shopify/BulkOperation/N`` from the gid itself or just ``N``."""
    identifier = identifier.strip()
    return f"gid://shopify/BulkOperation/{identifier}" if identifier.isdigit() else identifier


def resume_spec(text: str) -> tuple[str, int]:
    """``--resume ID`` or ``ID@LINE``: the operation, and the input line (counted from 1) its ``__lineNumber`` 0
    stands for (1 unless its upload began further on: a part of a split file, a resumed run)."""
    operation_id, _, line = text.rpartition("@") if "@" in text else (text, "", "1")
    if not line.isdigit() or int(line) < 1:
        raise FlowError(f"--resume takes ID or ID@LINE (LINE counted from 1); got {text!r}")
    return operation_gid(operation_id), int(line) - 1


def resume_selection(client: BulkClient, specs: list[str], selection: Selection) -> Selection:
    """``selection`` less the lines these earlier operations already have a result for (their result files, or
    what they left when they failed or were canceled). Each spec is ``resume_spec``'s."""
    done = selection.done
    for text in specs:
        operation_id, offset = resume_spec(text)
        state = client.bulk_operation(operation_id)
        if not state.finished:
            raise FlowError(f"{state.id} is still {state.status}: follow it with `bulkops watch {state.id}` or stop "
                            f"it with `bulkops cancel {state.id}` before resuming")
        if state.type not in (None, "MUTATION"):
            raise FlowError(f"{state.id} is an export ({state.type}): only an import can be resumed")
        if state.result_url:
            _mark_done(client, state.result_url, offset, done)
    return Selection(selection.first, selection.last, done)


def _mark_done(client: BulkClient, url: str, offset: int, done: LineSet) -> None:
    with tempfile.TemporaryFile() as results:
        client.download_to(url, results)
        results.seek(0)
        for raw in results:
            number = _line_number(raw)
            if number is not None:
                done.add(number + offset)


def _line_number(raw: bytes) -> int | None:
    try:
        number = orjson.loads(raw).get("__lineNumber")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return number if isinstance(number, int) else None


def import_report(client: BulkClient, request: ImportRequest, polling: Polling, out: Console, err: Console
                  ) -> ImportReport:
    """Upload the input part by part, run each, follow it, fetch its results into the report; stops at a part
    the server refuses or that does not complete, saying how to go on from there. Without ``wait``: only the
    first part starts, its id on ``out``."""
    report = ImportReport(waited=request.wait)
    with _outputs(request, report) as outputs:
        for index, part in enumerate(parts(request.file, request.selection, request.max_bytes)):
            if index and not request.wait:
                ui.say(err, f"the input is over {request.max_bytes} bytes: its other parts need --wait", "yellow")
                break
            state = run_part(client, request, part, polling, (out, err), report, outputs, index)
            if state is None or not request.wait:
                break
            if state.status != "COMPLETED":
                _say_how_to_resume(out, request, part, state)
                break
    return report


def run_part(client: BulkClient, request: ImportRequest, part: Part, polling: Polling,
             consoles: tuple[Console, Console], report: ImportReport, outputs: Outputs, index: int
             ) -> BulkOperation | None:
    """One upload and its operation, added to ``report``; None when the server refused to run it."""
    out, err = consoles
    target = client.stage_file(part.path, input_name(request.file))
    started = client.run_mutation(request.mutation, target.staged_upload_path, request.client_identifier)
    if started["userErrors"] or not started.get("bulkOperation"):
        report.user_errors = started["userErrors"] or [{"message": "no bulkOperation in the answer"}]
        return None
    operation = started["bulkOperation"]
    if not request.wait:
        ui.say(out, operation["id"])
        report.operations.append(BulkOperation.from_node(operation))
        return report.operations[-1]
    report.lines += part.lines
    ui.say(err, f"started {operation['id']}" + (f" (from line {part.start + 1})" if part.start else ""))
    label = "import" if not index else f"import part {index + 1}"
    with progress(err, part.lines, label, request.progress_every) as update:
        state = BulkOperation.from_node(follow(client, operation, polling, update))
    report.operations.append(state)
    with tempfile.TemporaryFile() as results, part.reader() as line:
        if fetch_result(client, state.raw, results):
            results.seek(0)
            tally_results(results, keep=request.show, tally=report.tally, start=part.start, inputs=line,
                          outputs=outputs)
    return state


def _say_how_to_resume(out: Console, request: ImportRequest, part: Part, state: BulkOperation) -> None:
    """The command that runs what is left: the same one, with this operation (and the ones it resumed) to skip
    the lines they have results for."""
    command = request.command or f"bulkops import {request.file}"
    resumes = [*request.resumed, f"{state.id}@{part.start + 1}" if part.start else state.id]
    ui.say(out, f"to run the lines it did not reach: {command}{''.join(f' --resume {r}' for r in resumes)}",
           "yellow")


@contextmanager
def _outputs(request: ImportRequest, report: ImportReport) -> Iterator[Outputs]:
    """The files the request asked for, open for the whole import; named in the report once written."""
    if not request.wait:
        yield Outputs()  # nothing is fetched: no file to make
        return
    with ExitStack() as files:
        outputs = Outputs()
        wanted = [("results", "results", request.results), ("failures", "failures", request.failures)]
        if request.failures:
            wanted.append(("retry file", "failed_lines", failed_lines_path(request.failures, request.file)))
        for _, attribute, path in wanted:
            if path is not None:
                setattr(outputs, attribute, files.enter_context(path.open("wb")))
        yield outputs
        if report.operations:
            report.written.update({label: str(path) for label, _, path in wanted if path is not None})
