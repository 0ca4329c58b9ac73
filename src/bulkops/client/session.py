"""A whole bulk import or export against bulkops or a real shop, as the CLI runs it: check, upload, run,
follow with a progress bar, fetch the result file, report. Each returns the command's exit code
(``report.EXIT_*``); output goes to the two consoles (``out`` for the report, ``err`` for progress)."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console

from bulkops.client import console as ui
from bulkops.client.progress import DEFAULT_EVERY, progress
from bulkops.client.report import EXIT_NOT_DONE, EXIT_OK
from bulkops.client.runs import (
    FlowError,
    ImportRequest,
    Polling,
    fetch_result,
    follow,
    import_report,
    operation_gid,
    resume_selection,
)
from bulkops.client.sdk import BulkClient

__all__ = ["FlowError", "ImportRequest", "Polling", "base_url", "connect", "operation_gid", "resume_selection",
           "run_export", "run_import", "watch"]

LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


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


def connect(url: str | None, token: str | None, version: str) -> BulkClient:
    if not url or not token:
        raise FlowError("give the server or shop with --url (or BULKOPS_URL) and the access token with --token "
                        "(or BULKOPS_TOKEN)")
    return BulkClient(base_url(url), token, version)


def run_import(client: BulkClient, request: ImportRequest, polling: Polling, out: Console, err: Console) -> int:
    """``import_report`` as the CLI shows it: the summary and the first failures on ``out``."""
    report = import_report(client, request, polling, out, err)
    if not report.operations and not report.user_errors:
        ui.say(out, "nothing to run: every line selected is blank or already has a result", "yellow")
        return EXIT_OK
    if request.wait and report.operations:
        ui.show_import_summary(out, report)
    if report.user_errors:
        ui.show_user_errors(out, "bulkOperationRunMutation", report.user_errors)
    return report.exit_code


def run_export(client: BulkClient, query: str, group_objects: bool, destination: Path | None, polling: Polling,
               err: Console, progress_every: float = DEFAULT_EVERY) -> int:
    """Run, follow, and stream the JSONL to ``destination`` (stdout when None); the summary goes to ``err``."""
    started = client.run_query(query, group_objects)
    if started["userErrors"] or not started.get("bulkOperation"):
        ui.show_user_errors(err, "bulkOperationRunQuery", started["userErrors"])
        return EXIT_NOT_DONE
    operation = started["bulkOperation"]
    ui.say(err, f"started {operation['id']}")
    with progress(err, None, "export", progress_every) as update:
        state = follow(client, operation, polling, update)
    if destination is None:
        fetch_result(client, state, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        with destination.open("wb") as out:
            fetch_result(client, state, out)
    ui.show_state_summary(err, state, str(destination) if destination else None)
    return EXIT_OK if state["status"] == "COMPLETED" else EXIT_NOT_DONE


def watch(client: BulkClient, operation_id: str, polling: Polling, out: Console, err: Console,
          progress_every: float = DEFAULT_EVERY) -> int:
    """Follow an operation already running (from another terminal, a script, ``--no-wait``) to its end."""
    state = client.operation(operation_id)
    label = "import" if state.get("type") == "MUTATION" else "export"
    with progress(err, None, label, progress_every) as update:
        final = follow(client, state, polling, update)
    ui.show_state_summary(out, final, None)
    return EXIT_OK if final["status"] == "COMPLETED" else EXIT_NOT_DONE
