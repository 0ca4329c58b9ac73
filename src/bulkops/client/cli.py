"""The client's commands: ``bulkops import``, ``export``, ``operations``, ``watch``, ``operation`` and ``cancel``, against bulkops or a real
shop. Stands alone: it imports no server module (``tests/test_architecture.py``, ``tests/client/test_cli.py``),
so it starts in a fraction of a second whatever the server's size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console

from bulkops.client.admin_cli import admin_app

if TYPE_CHECKING:
    from bulkops.client.sdk import BulkClient

app = typer.Typer(help="bulkops client: run bulk imports and exports against bulkops or a Shopify shop.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(admin_app, name="admin")
console = Console()
err_console = Console(stderr=True)

Url = typer.Option(None, "--url", envvar="BULKOPS_URL", show_envvar=True,
                   help="bulkops base URL (http://127.0.0.1:8000) or a shop (my-shop.myshopify.com).")
Token = typer.Option(None, "--token", envvar="BULKOPS_TOKEN", show_envvar=True, help="The shop's access token.")
ApiVersion = typer.Option("2026-01", "--api-version", envvar="BULKOPS_API_VERSION", help="Admin API version.")
PollInterval = typer.Option(1.0, "--poll-interval", help="Seconds between polls of the operation.")
Timeout = typer.Option(None, "--timeout", help="Stop following after this many seconds (the operation goes on).")


@contextmanager
def _client_errors() -> Iterator[None]:
    """An unreachable server, a bad token or a refused request: one red line and exit code 2."""
    import httpx

    from bulkops.client.sdk import BulkClientError
    from bulkops.client.session import FlowError

    try:
        yield
    except (FlowError, BulkClientError, httpx.HTTPError) as exc:
        err_console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


def _document(path: Path | None, text: str | None, option: str) -> str:
    if (path is None) == (text is None):
        raise typer.BadParameter(f"give exactly one of {option} FILE and {option}-text TEXT")
    if text is not None:
        return text
    assert path is not None
    return path.read_text()


ProgressEvery = typer.Option(10.0, "--progress-every", envvar="BULKOPS_PROGRESS_EVERY", min=0,
                             help="When output is not a terminal: seconds between progress lines.")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="JSONL (or gzip JSONL; or CSV with --csv): one line of variables per run."),
    mutation: Path | None = typer.Option(None, "--mutation", exists=True, dir_okay=False,
                                         help="File holding the mutation to run on each line."),
    mutation_text: str | None = typer.Option(None, "--mutation-text", help="The mutation itself."),
    csv_kind: str | None = typer.Option(None, "--csv", metavar="KIND", help="FILE is CSV: products (productSet), "
                                        "customers (customerCreate) or inventory (inventorySetQuantities); the "
                                        "mutation is then optional. Columns: docs/client-csv.md."),
    url: str | None = Url,
    token: str | None = Token,
    api_version: str = ApiVersion,
    client_identifier: str | None = typer.Option(None, "--client-identifier", help="10-255 characters."),
    results: Path | None = typer.Option(None, "--results", help="Write the result JSONL here."),
    failures: Path | None = typer.Option(None, "--failures", help="Write each failed line, with its variables "
                                         "and errors, here (JSONL); and the failed input lines as they were to "
                                         "FILE.failed.jsonl beside it, to fix and import again."),
    lines: str | None = typer.Option(None, "--lines", metavar="N-M",
                                     help="Run only these lines (counted from 1, inclusive; N- to the end)."),
    resume: list[str] = typer.Option([], "--resume", metavar="ID[@LINE]",
                                     help="Run only the lines this earlier import has no result for (repeatable; "
                                     "@LINE: its first line was the file's line LINE, as a stopped import says)."),
    max_file_bytes: int = typer.Option(100 * 1024 * 1024, "--max-file-bytes", envvar="BULKOPS_MAX_FILE_BYTES",
                                       min=1, help="The server's upload limit: a larger input runs in parts."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Follow the operation (or print its id and exit)."),
    validate_only: bool = typer.Option(False, "--validate-only", help="Check locally and stop: exit 0 if valid."),
    skip_validation: bool = typer.Option(False, "--skip-validation", help="Upload without checking first."),
    schema_check: bool | None = typer.Option(None, "--schema-check/--no-schema-check", show_default=False,
                                             help="Check each line's variables against the bundled schema (default: "
                                             "with --validate-only). --no-schema-check skips the document too."),
    show: int = typer.Option(20, "--show", help="Failed lines to print (--failures has them all)."),
    poll_interval: float = PollInterval,
    timeout: float | None = Timeout,
    progress_every: float = ProgressEvery,
) -> None:
    """Run a bulk mutation over a JSONL file: check it, upload it, follow the run and report each failed line.

    Exit code: 0 all lines succeeded; 1 some failed (or --validate-only found problems); 2 not started or not COMPLETED.
    """
    from bulkops.client.inputs import Selection

    try:
        selection = Selection.parse(lines)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if validate_only and skip_validation:
        raise typer.BadParameter("--validate-only and --skip-validation contradict each other")
    with ExitStack() as scratch:
        source, document = _import_input(file, csv_kind, mutation, mutation_text, scratch)
        if not skip_validation:
            _check_before_upload(source, selection, document, client_identifier, api_version, validate_only,
                                 schema_check, show)
        from bulkops.client import session  # the HTTP stack, loaded only for an upload: --validate-only needs none

        with _client_errors(), session.connect(url, token, api_version) as client:
            if resume:
                selection = session.resume_selection(client, resume, selection)
            command = f"bulkops import {file}" + (f" --csv {csv_kind}" if csv_kind else "") + \
                (f" --lines {lines}" if lines else "")
            request = session.ImportRequest(source, document, client_identifier, results, failures, wait, show,
                                            selection, max_file_bytes, progress_every, command, tuple(resume))
            code = session.run_import(client, request, session.Polling(poll_interval, timeout), console,
                                      err_console)
    raise typer.Exit(code)


def _import_input(file: Path, csv_kind: str | None, mutation: Path | None, mutation_text: str | None,
                  scratch: ExitStack) -> tuple[Path, str]:
    """The JSONL to import and its mutation: the file itself, or a CSV converted (streamed) into ``scratch``
    with its kind's mutation unless one is given."""
    if csv_kind is None:
        if file.name.lower().endswith((".csv", ".csv.gz")):
            raise typer.BadParameter("a CSV file needs --csv products, customers or inventory (docs/client-csv.md)")
        return file, _document(mutation, mutation_text, "--mutation")
    import tempfile

    from bulkops.client import console as ui
    from bulkops.client.csv_input import KINDS, CsvError, convert, default_mutation

    if csv_kind not in KINDS:
        raise typer.BadParameter(f"--csv takes {', '.join(KINDS)}; got {csv_kind!r}")
    document = default_mutation(csv_kind) if mutation is None and mutation_text is None else \
        _document(mutation, mutation_text, "--mutation")
    stem = file.name.split(".")[0] or "input"
    converted = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="bulkops-csv-"))) / f"{stem}.jsonl"
    try:
        count = convert(file, csv_kind, converted)
    except (CsvError, UnicodeDecodeError) as exc:
        ui.say(err_console, f"error: {file.name}: {exc}", "red")
        raise typer.Exit(2) from exc
    ui.say(console, f"{file.name}: converted to {count} line{'' if count == 1 else 's'} of {csv_kind} variables.")
    return converted, document


def _check_before_upload(file: Path, selection: Any, document: str, client_identifier: str | None,
                         api_version: str, validate_only: bool, schema_check: bool | None, show: int) -> None:
    """The local checks, streamed over the lines to run: stop here with --validate-only or a fatal problem."""
    from bulkops.client import console as ui
    from bulkops.client.checks import check_import
    from bulkops.client.inputs import input_name, selected_lines

    checked = check_import(selected_lines(file, selection), file.stat().st_size, document, client_identifier,
                           api_version, with_schema=schema_check is not False,
                           each_line=validate_only if schema_check is None else schema_check)
    ui.show_checked(console, checked, input_name(file), show)
    if validate_only:
        raise typer.Exit(0 if checked.ok else 1)
    if checked.fatal:
        raise typer.Exit(2)
    if not checked.ok:
        ui.say(console, "Uploading anyway: the server runs every other line and reports these as failed.")


@app.command("export")
def export(
    query: Path | None = typer.Argument(None, exists=True, dir_okay=False, help="File holding the bulk query."),
    query_text: str | None = typer.Option(None, "--query-text", help="The bulk query itself."),
    url: str | None = Url,
    token: str | None = Token,
    api_version: str = ApiVersion,
    group_objects: bool = typer.Option(False, "--group-objects", help="Place children right after their parent."),
    out: Path | None = typer.Option(None, "--out", help="Write the JSONL here (default: stdout)."),
    poll_interval: float = PollInterval,
    timeout: float | None = Timeout,
    progress_every: float = ProgressEvery,
) -> None:
    """Run a bulk query, follow it, and write its JSONL (to --out or stdout; progress and summary on stderr).

    Exit code: 0 COMPLETED; 2 refused, FAILED, CANCELED or EXPIRED (partial data is still written).
    """
    from bulkops.client import session

    document = _document(query, query_text, "--query")
    with _client_errors(), session.connect(url, token, api_version) as client:
        code = session.run_export(client, document, group_objects, out, session.Polling(poll_interval, timeout),
                                  err_console, progress_every)
    raise typer.Exit(code)


@app.command("operations")
def operations(
    status: str | None = typer.Option(None, "--status", help="Only these: created, running, completed, failed, "
                                      "canceling or canceled."),
    operation_type: str | None = typer.Option(None, "--type", help="Only imports (mutation) or exports (query)."),
    limit: int = typer.Option(20, "--limit", min=1, max=250, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line, as the server sent it."),
    url: str | None = Url,
    token: str | None = Token,
    api_version: str = ApiVersion,
) -> None:
    """List the shop's bulk operations, newest first (``bulkOperations``, API 2026-01 and later)."""
    from bulkops.client import console as ui
    from bulkops.client import session

    with _client_errors(), session.connect(url, token, api_version) as client:
        found = client.operations(status=status, operation_type=_operation_type(operation_type), limit=limit)
    if as_json:
        for operation in found:
            print(orjson.dumps(operation.raw).decode())
    else:
        ui.show_operations(console, found)


def _operation_type(given: str | None) -> str | None:
    """``--type``: the filter's words (``mutation``, ``query``), or the ones people say (import, export)."""
    if given is None:
        return None
    known = {"mutation": "mutation", "import": "mutation", "query": "query", "export": "query"}
    if given.lower() not in known:
        raise typer.BadParameter(f"--type takes mutation (import) or query (export); got {given!r}")
    return known[given.lower()]


@app.command("watch")
def watch(
    operation_id: str = typer.Argument(..., metavar="ID", help="gid://shopify/BulkOperation/N, or N."),
    url: str | None = Url,
    token: str | None = Token,
    api_version: str = ApiVersion,
    poll_interval: float = PollInterval,
    timeout: float | None = Timeout,
    progress_every: float = ProgressEvery,
) -> None:
    """Follow a bulk operation until it finishes, with its progress; exit 0 when it COMPLETED, else 2."""
    from bulkops.client import session

    with _client_errors(), session.connect(url, token, api_version) as client:
        code = session.watch(client, session.operation_gid(operation_id), session.Polling(poll_interval, timeout),
                             console, err_console, progress_every)
    raise typer.Exit(code)


def _operation_command(name: str, act: Callable[[BulkClient, str], dict[str, Any]], help_text: str) -> None:
    """``bulkops operation ID`` and ``bulkops cancel ID``: one call on one operation, its answer as JSON."""

    def command(
        operation_id: str = typer.Argument(..., metavar="ID", help="gid://shopify/BulkOperation/N, or N."),
        url: str | None = Url,
        token: str | None = Token,
        api_version: str = ApiVersion,
    ) -> None:
        from bulkops.client import session

        with _client_errors(), session.connect(url, token, api_version) as client:
            payload = act(client, session.operation_gid(operation_id))
        print(orjson.dumps(payload).decode())
        raise typer.Exit(2 if payload.get("userErrors") else 0)

    app.command(name, help=help_text)(command)


_operation_command("operation", lambda client, gid: client.operation(gid), "Print a bulk operation's state as JSON.")
_operation_command("cancel", lambda client, gid: client.cancel(gid),
                   "Ask the server to cancel a bulk operation; print the payload as JSON (exit 2 on userErrors).")


if __name__ == "__main__":
    app()
