"""A whole bulk import or export against bulkops or a real shop, as the CLI runs it: check, upload, run,
follow with a progress bar, fetch the result file, report. Each returns the command's exit code
(``report.EXIT_*``); output goes to the two consoles (``out`` for the report, ``err`` for progress)."""

from __future__ import annotations

import math
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from rich.console import Console

from bulkops.client import console as ui
from bulkops.client.lines import LineIndex
from bulkops.client.report import EXIT_NOT_DONE, EXIT_OK, import_exit_code, tally_results
from bulkops.client.sdk import BulkClient

LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


class FlowError(Exception):
    """A reason to stop that the user can act on (no URL, an unreachable server, a refused request)."""


def base_url(url_or_shop: str) -> str:
    """``https://`` for a bare shop domain (``my-shop.myshopify.com``) or a bare name (``my-shop``), ``http://``
    for a bare loopback address; a URL with a scheme is kept as given."""
    text = url_or_shop.strip().rstrip("/")
    if "://" in text:
        return text
    if "." not in text and ":" not in text and text not in LOOPBACK:
        text = f"{text}.myshopify.com"
    host = urlsplit(f"//{text}").hostname or ""
    return f"{'http' if host in LOOPBACK else 'https'}://{text}"


def operation_gid(identifier: str) -> str:
    """``gid://shopify/BulkOperation/N`` from the gid itself or just ``N``."""
    return f"gid://shopify/BulkOperation/{identifier}" if identifier.isdigit() else identifier


def connect(url: str | None, token: str | None, version: str) -> BulkClient:
    if not url or not token:
        raise FlowError("give the server or shop with --url (or BULKOPS_URL) and the access token with --token "
                        "(or BULKOPS_TOKEN)")
    return BulkClient(base_url(url), token, version)


@dataclass(frozen=True)
class Polling:
    interval: float = 1.0
    timeout: float | None = None
    """Seconds to follow the operation before giving up (it keeps running on the server); None: no limit."""


def follow(client: BulkClient, operation: dict[str, Any], polling: Polling, on_state: Callable[[dict[str, Any]], None]
           ) -> dict[str, Any]:
    """Poll until the operation finishes; Ctrl-C stops following (not the operation) and says how to resume."""
    state = operation
    try:
        for state in client.follow(operation["id"], polling.interval, polling.timeout or math.inf):
            on_state(state)
    except KeyboardInterrupt:
        raise FlowError(f"stopped following {operation['id']}; it keeps running on the server "
                        f"(`bulkops operation {operation['id']}` to look, `bulkops cancel` to stop it)") from None
    return state


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


def run_import(client: BulkClient, request: ImportRequest, data: bytes, polling: Polling, out: Console,
               err: Console) -> int:
    """Upload ``data`` (the file's bytes, checked or not), run, follow, fetch and report."""
    inputs = LineIndex(data)
    lines = inputs.count
    path = client.stage(data, request.file.name)
    started = client.run_mutation(request.mutation, path, request.client_identifier)
    if started["userErrors"] or not started.get("bulkOperation"):
        ui.show_user_errors(out, "bulkOperationRunMutation", started["userErrors"])
        return EXIT_NOT_DONE
    operation = started["bulkOperation"]
    if not request.wait:
        ui.say(out, operation["id"])
        return EXIT_OK
    ui.say(err, f"started {operation['id']}")
    with ui.progress_bar(err, lines, "import") as update:
        state = follow(client, operation, polling, update)
    written: dict[str, str] = {}
    with _results_file(request.results) as results:
        fetched = fetch_result(client, state, results)
        if fetched and request.results:
            written["results"] = str(request.results)
        results.seek(0)
        with _written_or_none(request.failures) as failures:
            tally = tally_results(results, keep=request.show, inputs=inputs, failures_out=failures)
    if request.failures:
        written["failures"] = str(request.failures)
    ui.show_import_summary(out, state, lines, tally, written)
    return import_exit_code(state["status"], lines, tally)


def run_export(client: BulkClient, query: str, group_objects: bool, destination: Path | None, polling: Polling,
               err: Console) -> int:
    """Run, follow, and stream the JSONL to ``destination`` (stdout when None); the summary goes to ``err``."""
    started = client.run_query(query, group_objects)
    if started["userErrors"] or not started.get("bulkOperation"):
        ui.show_user_errors(err, "bulkOperationRunQuery", started["userErrors"])
        return EXIT_NOT_DONE
    operation = started["bulkOperation"]
    ui.say(err, f"started {operation['id']}")
    with ui.progress_bar(err, None, "export") as update:
        state = follow(client, operation, polling, update)
    if destination is None:
        fetch_result(client, state, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        with destination.open("wb") as out:
            fetch_result(client, state, out)
    ui.show_export_summary(err, state, str(destination) if destination else None)
    return EXIT_OK if state["status"] == "COMPLETED" else EXIT_NOT_DONE


def _results_file(path: Path | None) -> IO[bytes]:
    """Where the result file lands: ``--results``, or a temporary file read once for the report."""
    return path.open("w+b") if path else tempfile.TemporaryFile()


def _written_or_none(path: Path | None) -> AbstractContextManager[IO[bytes] | None]:
    return path.open("wb") if path else nullcontext()
