"""The ``bulkops`` command: serve, worker, shops; and the client side: import, export, operation, cancel."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console

from bulkops.config import settings_from_env

if TYPE_CHECKING:
    from bulkops.client.sdk import BulkClient

app = typer.Typer(help="bulkops: a self-hostable, Shopify-compatible bulk operations server.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
shop_app = typer.Typer(help="Create and list shops (each has its own access token).", no_args_is_help=True)
app.add_typer(shop_app, name="shop")
webhooks_app = typer.Typer(help="Webhook deliveries: what was sent, and how each attempt went.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")
console = Console()
err_console = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", help="Where the database and files live (default ./data).")
Url = typer.Option(None, "--url", envvar="BULKOPS_URL", show_envvar=True,
                   help="bulkops base URL (http://127.0.0.1:8000) or a shop (my-shop.myshopify.com).")
Token = typer.Option(None, "--token", envvar="BULKOPS_TOKEN", show_envvar=True, help="The shop's access token.")
ApiVersion = typer.Option("2026-01", "--api-version", envvar="BULKOPS_API_VERSION", help="Admin API version.")
PollInterval = typer.Option(1.0, "--poll-interval", help="Seconds between polls of the operation.")
Timeout = typer.Option(None, "--timeout", help="Stop following after this many seconds (the operation goes on).")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data_dir: Path | None = DataDir,
    public_url: str | None = typer.Option(None, "--public-url", help="Base URL clients reach this server by."),
    workers: int | None = typer.Option(None, help="In-process bulk workers."),
    storage: str | None = typer.Option(None, "--storage", help="s3://BUCKET: keep files in S3-compatible storage "
                                       "(endpoint from BULKOPS_S3_ENDPOINT_URL, credentials from AWS_*)."),
) -> None:
    """Run the server: SQLite, local files and in-process workers under the data dir."""
    import uvicorn

    from bulkops.app.bootstrap import build_runtime
    from bulkops.app.http import build_app
    from bulkops.domain.shops.rules import development_shop

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    listen_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    settings = settings_from_env(data_dir=data_dir, public_base_url=public_url, workers=workers,
                                 storage_url=storage, listen_url=f"http://{listen_host}:{port}")
    runtime = build_runtime(settings)
    with runtime.db.write() as conn:
        shop, created = development_shop(conn, runtime.clock.now())
    word = "Created" if created else "Using"
    console.print(f"{word} development shop [bold]{shop.domain}[/bold]")
    console.print(f"  access token: [bold]{shop.access_token}[/bold]")
    console.print(f"  app secret (webhook HMAC): {shop.api_secret}")
    console.print(f"GraphQL endpoint: http://{host}:{port}/admin/api/2026-10/graphql.json", highlight=False)
    _freeze_startup_objects()
    signal.signal(signal.SIGTERM, _exit_through_finally)
    runtime.start()
    try:
        uvicorn.run(build_app(runtime), host=host, port=port, log_level="warning")
    finally:
        runtime.stop()


def _exit_through_finally(_signum: int, _frame: object) -> None:
    """uvicorn shuts down gracefully on SIGTERM, then raises it again with this handler back in place: exit
    by an exception, so the runtime's workers, webhook senders and import helpers are stopped, not cut off."""
    raise SystemExit(0)


@app.command()
def worker(
    concurrency: int = typer.Option(2, "--concurrency", help="Bulk operations this process runs at once."),
    data_dir: Path | None = DataDir,
) -> None:
    """Run bulk operations from the Celery queue (BULKOPS_QUEUE_URL), with upkeep and webhook delivery."""
    from bulkops.app.bootstrap import build_runtime
    from bulkops.workers.celery_queue import CeleryWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_from_env(data_dir=data_dir)
    if not settings.queue_url:
        console.print("[red]bulkops worker needs BULKOPS_QUEUE_URL, e.g. redis://127.0.0.1:6379/0[/red]")
        raise typer.Exit(2)
    runtime = build_runtime(settings)
    _freeze_startup_objects()
    raise typer.Exit(CeleryWorker(runtime, concurrency).run())


def _freeze_startup_objects() -> None:
    """The schemas, tables and modules made at start live as long as the process: keep them out of the
    cyclic GC's full scans, which otherwise cost a bulk import ~10-20 % of its CPU (bench/README.md)."""
    import gc

    gc.collect()
    gc.freeze()


@shop_app.command("create")
def shop_create(
    name: str = typer.Argument(..., help="Shop name: NAME.myshopify.com"),
    as_json: bool = typer.Option(False, "--json", help="Print the shop as JSON."),
    data_dir: Path | None = DataDir,
) -> None:
    """Create a shop and print its access token and app secret."""
    from bulkops.app.bootstrap import open_database
    from bulkops.clock import SystemClock
    from bulkops.domain.shops.rules import InvalidShopName, create_shop

    db = open_database(settings_from_env(data_dir=data_dir))
    try:
        with db.write() as conn:
            shop = create_shop(conn, name, SystemClock().now())
    except InvalidShopName as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        print(orjson.dumps({"id": shop.gid, "name": shop.name, "domain": shop.domain,
                            "access_token": shop.access_token, "api_secret": shop.api_secret}).decode())
    else:
        console.print(f"Created shop [bold]{shop.domain}[/bold]")
        console.print(f"  access token: [bold]{shop.access_token}[/bold]")
        console.print(f"  app secret (webhook HMAC): {shop.api_secret}")


@shop_app.command("list")
def shop_list(data_dir: Path | None = DataDir) -> None:
    """List shops and their tokens."""
    from bulkops.app.bootstrap import open_database
    from bulkops.domain.shops.rules import list_shops

    db = open_database(settings_from_env(data_dir=data_dir))
    with db.read() as conn:
        for shop in list_shops(conn):
            console.print(f"{shop.domain}\t{shop.access_token}")


@app.command()
def seed(
    products: int = typer.Option(0, "--products", help="Products to add."),
    variants_per_product: int = typer.Option(1, "--variants-per-product", help="Variants per product (1-48)."),
    customers: int = typer.Option(0, "--customers", help="Customers to add."),
    shop: str | None = typer.Option(None, "--shop", help="Shop NAME (default: the development shop)."),
    data_dir: Path | None = DataDir,
) -> None:
    """Fill a shop with realistic products, variants and customers, fast (for demos, tests, benchmarks)."""
    import time

    from bulkops.app.bootstrap import open_database
    from bulkops.clock import SystemClock
    from bulkops.domain.shops.seed import seed_shop, shop_to_seed

    db = open_database(settings_from_env(data_dir=data_dir))
    now = SystemClock().now()
    target = shop_to_seed(db, shop, now)
    if target is None:
        console.print(f"[red]No shop named {shop!r}.[/red]")
        raise typer.Exit(2)
    started = time.monotonic()
    try:
        report = seed_shop(db, target.id, products_count=products, variants_per_product=variants_per_product,
                           customers_count=customers, now=now)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    print(f"Seeded {target.domain}: {report.products} products, {report.variants} variants, "
          f"{report.customers} customers in {time.monotonic() - started:.1f}s")


@webhooks_app.command("deliveries")
def webhook_deliveries(
    shop: str | None = typer.Option(None, "--shop", help="Only this shop's deliveries (NAME or NAME.myshopify.com)."),
    as_json: bool = typer.Option(False, "--json", help="Print deliveries and their attempts as JSON."),
    data_dir: Path | None = DataDir,
) -> None:
    """List webhook deliveries, newest first, with every attempt's outcome and response code."""
    from bulkops.app.bootstrap import open_database
    from bulkops.webhooks.outbox import deliveries_report

    db = open_database(settings_from_env(data_dir=data_dir))
    with db.read() as conn:
        report = deliveries_report(conn, shop)
    if as_json:
        print(orjson.dumps(report).decode())
        return
    for d in report:
        print(f"{d['status']}\t{d['shop_domain']}\t{d['operation_id']}\t{d['uri']}\twebhook {d['webhook_id']}")
        for a in d["attempts"]:
            print(f"  try {a['number']} at {a['started_at']}: {a['outcome']} {a['response_code'] or ''} "
                  f"({a['duration_ms']} ms){' ' + a['error'] if a['error'] else ''}")
        if d["status"] == "pending":
            print(f"  next try at {d['next_attempt_at']}")


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


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL: one line of variables per run."),
    mutation: Path | None = typer.Option(None, "--mutation", exists=True, dir_okay=False,
                                         help="File holding the mutation to run on each line."),
    mutation_text: str | None = typer.Option(None, "--mutation-text", help="The mutation itself."),
    url: str | None = Url,
    token: str | None = Token,
    api_version: str = ApiVersion,
    client_identifier: str | None = typer.Option(None, "--client-identifier", help="10-255 characters."),
    results: Path | None = typer.Option(None, "--results", help="Write the result JSONL here."),
    failures: Path | None = typer.Option(None, "--failures", help="Write each failed line, with its variables "
                                         "and errors, here (JSONL)."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Follow the operation (or print its id and exit)."),
    validate_only: bool = typer.Option(False, "--validate-only", help="Check locally and stop: exit 0 if valid."),
    skip_validation: bool = typer.Option(False, "--skip-validation", help="Upload without checking first."),
    schema_check: bool | None = typer.Option(None, "--schema-check/--no-schema-check", show_default=False,
                                             help="Check each line's variables against the bundled schema (default: "
                                             "with --validate-only). --no-schema-check skips the document too."),
    show: int = typer.Option(20, "--show", help="Failed lines to print (--failures has them all)."),
    poll_interval: float = PollInterval,
    timeout: float | None = Timeout,
) -> None:
    """Run a bulk mutation over a JSONL file: check it, upload it, follow the run and report each failed line.

    Exit code: 0 all lines succeeded; 1 some failed (or --validate-only found problems); 2 not started or not COMPLETED.
    """
    from bulkops.client import console as ui
    from bulkops.client import session

    document = _document(mutation, mutation_text, "--mutation")
    data = file.read_bytes()
    if validate_only and skip_validation:
        raise typer.BadParameter("--validate-only and --skip-validation contradict each other")
    if not skip_validation:
        from bulkops.client.checks import check_import
        from bulkops.graphql.schema import schema_for_version

        checked = check_import(data, document, client_identifier, schema_for_version(api_version),
                               with_schema=schema_check is not False,
                               each_line=validate_only if schema_check is None else schema_check)
        ui.show_checked(console, checked, file.name, show)
        if validate_only:
            raise typer.Exit(0 if checked.ok else 1)
        if checked.fatal:
            raise typer.Exit(2)
        if not checked.ok:
            ui.say(console, "Uploading anyway: the server runs every other line and reports these as failed.")
    request = session.ImportRequest(file, document, client_identifier, results, failures, wait, show)
    with _client_errors(), session.connect(url, token, api_version) as client:
        code = session.run_import(client, request, data, session.Polling(poll_interval, timeout), console,
                                  err_console)
    raise typer.Exit(code)


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
) -> None:
    """Run a bulk query, follow it, and write its JSONL (to --out or stdout; progress and summary on stderr).

    Exit code: 0 COMPLETED; 2 refused, FAILED, CANCELED or EXPIRED (partial data is still written).
    """
    from bulkops.client import session

    document = _document(query, query_text, "--query")
    with _client_errors(), session.connect(url, token, api_version) as client:
        code = session.run_export(client, document, group_objects, out, session.Polling(poll_interval, timeout),
                                  err_console)
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
