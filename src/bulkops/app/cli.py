"""The server's commands: ``bulkops serve``, ``worker``, ``seed``, ``load``, ``coverage``, ``shop ...`` and ``webhooks ...``.

Importing this module is cheap: each command imports the server (the runtime, the database, the schemas) only
when it runs, so ``bulkops import`` and ``bulkops --help`` never load it (``bulkops.cli`` joins both sides).

Every command reads its settings the same way (``settings_from_env``): flags, then ``BULKOPS_*`` variables, then
``bulkops.toml``. A setting that cannot work is one line and its fix on stderr, exit code 2 (``--debug``: the
traceback).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import typer
from rich.console import Console

from bulkops import __version__
from bulkops.config import ConfigError, Settings, database_named, settings_from_env

if TYPE_CHECKING:
    from bulkops.db.database import Database
    from bulkops.domain.shops.rules import Shop
    from bulkops.domain.shops.secrets import SecretBox
    from bulkops.engine.runtime import Runtime

app = typer.Typer(help="bulkops server commands.", no_args_is_help=True, pretty_exceptions_enable=False)
shop_app = typer.Typer(help="Create and list shops (each has its own access token).", no_args_is_help=True)
app.add_typer(shop_app, name="shop")
webhooks_app = typer.Typer(help="Webhook deliveries: what was sent, and how each attempt went.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")
console = Console(soft_wrap=True)

DataDir = typer.Option(None, "--data-dir", help="Where the SQLite database, the secret key and local files live "
                       "(default ./data; BULKOPS_DATA_DIR).")
ConfigFile = typer.Option(None, "--config", help="Settings file (default ./bulkops.toml when present; "
                          "BULKOPS_CONFIG). Flags win over BULKOPS_* variables, which win over the file.")
DatabaseUrl = typer.Option(None, "--database-url", help="SQLAlchemy URL of the database, e.g. "
                           "postgresql+psycopg://user:pw@host/bulkops (default SQLite in the data dir; "
                           "BULKOPS_DATABASE_URL).")
QueueUrl = typer.Option(None, "--queue-url", help="Redis URL: operations run in bulkops worker processes "
                        "(BULKOPS_QUEUE_URL).")
Storage = typer.Option(None, "--storage", help="s3://BUCKET: keep files in S3-compatible storage "
                       "(BULKOPS_STORAGE_URL; credentials from AWS_*).")
S3Endpoint = typer.Option(None, "--s3-endpoint-url", help="The S3-compatible server (MinIO, moto...); unset: AWS "
                          "(BULKOPS_S3_ENDPOINT_URL).")
S3PublicEndpoint = typer.Option(None, "--s3-public-endpoint-url", help="The S3 endpoint as clients reach it, "
                                "named in upload and download URLs, when it differs from --s3-endpoint-url "
                                "(BULKOPS_S3_PUBLIC_ENDPOINT_URL).")
Debug = typer.Option(False, "--debug", help="Show the traceback of a configuration error.")
Reconfigure = typer.Option(False, "--reconfigure", help="Record this process's mode (queue or embedded) and storage "
                           "as the deployment's, when its database says otherwise (refused while operations run).")



@contextmanager
def reporting(debug: bool) -> Iterator[None]:
    """A ConfigError becomes its one line and its fix on stderr and exit code 2 (the traceback with --debug)."""
    try:
        yield
    except ConfigError as exc:
        if debug:
            raise
        print(f"error: {exc.problem}", file=sys.stderr)
        print(f"  fix: {exc.fix}", file=sys.stderr)
        raise typer.Exit(2) from None


def endpoint_url(host: str, port: int, scheme: str = "http") -> str:
    return f"{scheme}://{host}:{port}/admin/api/2026-10/graphql.json"


def print_banner(runtime: Runtime, work: str, endpoint: str | None = None) -> None:
    """What this process runs on, so the operator sees at once which database, queue and storage are in use."""
    from bulkops.app.deployment import display_url

    settings = runtime.settings
    queue = (f"{display_url(settings.queue_url)} (queue {settings.queue_name})" if settings.queue_url
             else "none (embedded: operations run in this server)")
    storage = (f"{settings.storage_url} at {settings.s3_endpoint_url or 'AWS'}" if settings.storage_url
               else f"local files in {settings.files_dir.resolve()}")
    if settings.storage_url and settings.s3_public_endpoint_url:
        storage += f" (clients use {settings.s3_public_endpoint_url})"
    helpers = settings.helper_processes if runtime.helpers else 0
    console.print(f"bulkops {__version__}", highlight=False)
    console.print(f"  database: {display_url(settings.db_url)}", highlight=False)
    if runtime.db.migration is not None:
        before, after = runtime.db.migration
        console.print(f"  schema:   migrated from {before or 'an empty database'} to {after}", highlight=False)
    console.print(f"  queue:    {queue}", highlight=False)
    console.print(f"  storage:  {storage}", highlight=False)
    console.print(f"  workers:  {work}, {helpers} import helper process(es)", highlight=False)
    if endpoint:
        console.print(f"  endpoint: {endpoint}", highlight=False)
        console.print(f"  control:  {control_plane_line(settings)}", highlight=False)


def control_plane_line(settings: Settings) -> str:
    if not settings.control_plane:
        return "off (--no-control-plane)"
    access = "Authorization: Bearer BULKOPS_ADMIN_TOKEN" if settings.admin_token else "open on loopback"
    return f"/__bulkops/ (reset, seed, clock, requests, state; {access})"


def print_development_shop(shop: Shop, created: bool) -> None:
    """The development shop's token, shown once: when it is made (the database keeps only its digest)."""
    if not created:
        console.print(f"Development shop [bold]{shop.domain}[/bold] (its token was printed when it was created; "
                      f"`bulkops shop token {shop.name}` makes a new one)", highlight=False)
        return
    console.print(f"Created development shop [bold]{shop.domain}[/bold]", highlight=False)
    print_credentials(shop)


def print_credentials(shop: Shop) -> None:
    console.print(f"  access token: [bold]{shop.access_token}[/bold]", highlight=False)
    console.print(f"  app secret (webhook HMAC): {shop.api_secret}", highlight=False)
    console.print(f"  (shown once: `bulkops shop token {shop.name}` makes a new token)", highlight=False)
LogFormat = typer.Option("text", "--log-format", envvar="BULKOPS_LOG_FORMAT", help="text, or json: one JSON object per line, with the bulk "
                         "operation and shop on every line of an operation's work.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int | None = typer.Option(None, help="Port to listen on (default 8000; 443 with --tls)."),
    data_dir: Path | None = DataDir,
    tls: bool = typer.Option(False, "--tls", help="Serve HTTPS with a certificate for *.myshopify.com, localhost "
                             "and 127.0.0.1 from a local CA kept in the data dir (printed: how to trust it)."),
    public_url: str | None = typer.Option(None, "--public-url", help="Base URL clients reach this server by."),
    workers: int | None = typer.Option(None, help="In-process bulk workers (embedded deployments)."),
    database_url: str | None = DatabaseUrl,
    queue_url: str | None = QueueUrl,
    storage: str | None = Storage,
    s3_endpoint_url: str | None = S3Endpoint,
    s3_public_endpoint_url: str | None = S3PublicEndpoint,
    proxy_headers: bool | None = typer.Option(None, "--proxy-headers/--no-proxy-headers", help="Trust X-Forwarded-"
                                              "Proto/Host/For from --forwarded-allow-ips (behind a reverse proxy)."),
    forwarded_allow_ips: str | None = typer.Option(None, "--forwarded-allow-ips", help="Proxies trusted with "
                                                   "--proxy-headers (comma-separated, or *; default 127.0.0.1)."),
    config: Path | None = ConfigFile,
    debug: bool = Debug,
    reconfigure: bool = Reconfigure,
    log_format: str = LogFormat,
    import_state: Path | None = typer.Option(None, "--import", help="Start from a state archive (GET "
                                             "/__bulkops/state): its rows and files replace the deployment's."),
    export_on_exit: Path | None = typer.Option(None, "--export-on-exit", help="Write the deployment's state "
                                               "archive to this file when the server stops."),
    control_plane: bool | None = typer.Option(None, "--control-plane/--no-control-plane", help="Serve the control "
                                              "plane (/__bulkops/: reset, seed, clock...; BULKOPS_CONTROL_PLANE). "
                                              "On by default; off any loopback address it needs BULKOPS_ADMIN_TOKEN."),
) -> None:
    """Run the server: the GraphQL endpoint and file routes, with in-process workers unless a queue is set."""
    from bulkops.app.control.access import check_exposure

    _configure_logging(log_format)
    listen_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    port = port if port is not None else 443 if tls else 8000
    scheme = "https" if tls else "http"
    with reporting(debug):
        settings = settings_from_env(
            config, data_dir=data_dir, public_base_url=public_url, workers=workers, database_url=database_url,
            queue_url=queue_url, storage_url=storage, s3_endpoint_url=s3_endpoint_url,
            s3_public_endpoint_url=s3_public_endpoint_url, proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips, listen_url=f"{scheme}://{listen_host}:{port}",
            control_plane=control_plane)
        check_exposure(settings, host)
        runtime, shop, created = _start_server(settings, reconfigure, import_state)
    work = ("none here (bulkops worker processes run the operations)" if settings.queue_url
            else f"{settings.workers} in-process")
    print_banner(runtime, work, endpoint_url(host, port, scheme))
    print_development_shop(shop, created)
    certificate = _prepare_tls(runtime, shop, host, port) if tls else (None, None)
    _run_server(runtime, settings, host, port, certificate, export_on_exit)


def _prepare_tls(runtime: Runtime, shop: Shop, host: str, port: int) -> tuple[str | None, str | None]:
    """The certificate files (the CA made once, reused after), with how to trust them printed."""
    from bulkops.app.tls import prepare_tls, trust_instructions

    files = prepare_tls(runtime.settings.data_dir, runtime.clock.now())
    for line in trust_instructions(files, shop.domain, host, port):
        console.print(line, highlight=False)
    return str(files.server_cert), str(files.server_key)


def _start_server(settings: Settings, reconfigure: bool, import_state: Path | None = None
                  ) -> tuple[Runtime, Shop, bool]:
    from bulkops.app.bootstrap import build_runtime
    from bulkops.app.deployment import secret_box
    from bulkops.domain.shops.rules import development_shop

    runtime = build_runtime(settings, reconfigure=reconfigure)
    if import_state is not None:
        _import_state(runtime, import_state)
    with runtime.db.write() as conn:
        shop, created = development_shop(conn, runtime.clock.now(), secret_box(settings))
    return runtime, shop, created


def _import_state(runtime: Runtime, path: Path) -> None:
    """The archive's rows and files replace the deployment's, before the development shop is looked for."""
    from bulkops.engine.state import StateError, restore

    try:
        restore(runtime.engine, path.read_bytes())
    except (OSError, StateError) as exc:
        raise ConfigError(f"cannot import {path}: {exc}", "give --import a file GET /__bulkops/state wrote, "
                          "on a deployment with the same secret key") from exc


def _export_state(runtime: Runtime, path: Path) -> None:
    from bulkops.engine.state import dump

    path.write_bytes(dump(runtime.engine))
    print(f"bulkops: state written to {path}", file=sys.stderr)


def _run_server(runtime: Runtime, settings: Settings, host: str, port: int,
                certificate: tuple[str | None, str | None] = (None, None),
                export_on_exit: Path | None = None) -> None:
    """``certificate``: the server's certificate and key files, for HTTPS (``--tls``)."""
    import uvicorn

    from bulkops.app.http import build_app
    from bulkops.app.serving import ClosingServer

    _freeze_startup_objects()
    signal.signal(signal.SIGTERM, _exit_through_finally)
    runtime.start()
    config = uvicorn.Config(build_app(runtime), host=host, port=port, log_level="warning", log_config=None,
                            proxy_headers=settings.proxy_headers, forwarded_allow_ips=settings.forwarded_allow_ips,
                            ssl_certfile=certificate[0], ssl_keyfile=certificate[1])
    try:
        ClosingServer(config, runtime).run()
    finally:
        runtime.stop()
        if export_on_exit is not None:
            _export_state(runtime, export_on_exit)


def _exit_through_finally(_signum: int, _frame: object) -> None:
    """uvicorn shuts down gracefully on SIGTERM, then raises it again with this handler back in place: exit
    by an exception, so the runtime's workers, webhook senders and import helpers are stopped, not cut off."""
    raise SystemExit(0)


@app.command()
def worker(
    concurrency: int = typer.Option(2, "--concurrency", help="Bulk operations this process runs at once."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    queue_url: str | None = QueueUrl,
    storage: str | None = Storage,
    s3_endpoint_url: str | None = S3Endpoint,
    s3_public_endpoint_url: str | None = S3PublicEndpoint,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
    reconfigure: bool = Reconfigure,
    log_format: str = LogFormat,
) -> None:
    """Run bulk operations from the Celery queue (--queue-url), with upkeep and webhook delivery."""
    from bulkops.app.bootstrap import build_runtime

    _configure_logging(log_format)
    with reporting(debug):
        settings = settings_from_env(config, data_dir=data_dir, database_url=database_url, queue_url=queue_url,
                                     storage_url=storage, s3_endpoint_url=s3_endpoint_url,
                                     s3_public_endpoint_url=s3_public_endpoint_url)
        if not settings.queue_url:
            raise ConfigError("bulkops worker needs a queue",
                              "pass --queue-url redis://127.0.0.1:6379/0 (or set BULKOPS_QUEUE_URL)")
        runtime = build_runtime(settings, reconfigure=reconfigure)
    from bulkops.workers.celery_queue import CeleryWorker

    print_banner(runtime, f"{concurrency} at once (Celery)")
    _freeze_startup_objects()
    raise typer.Exit(CeleryWorker(runtime, concurrency).run())


def _configure_logging(log_format: str) -> None:
    from bulkops.logs import configure_logging

    try:
        configure_logging(log_format)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _freeze_startup_objects() -> None:
    """The schemas, tables and modules made at start live as long as the process: keep them out of the
    cyclic GC's full scans, which otherwise cost a bulk import ~10-20 % of its CPU (bench/README.md)."""
    import gc

    gc.collect()
    gc.freeze()


def open_admin(config: Path | None, data_dir: Path | None, database_url: str | None
               ) -> tuple[Settings, Database, SecretBox]:
    """The settings, database and key of the deployment an admin command (shop, seed, webhooks) works on: one a
    ``serve`` or ``worker`` ran on, and, when no database was named, one a process runs on now."""
    from bulkops.app.bootstrap import open_deployment

    settings = settings_from_env(config, data_dir=data_dir, database_url=database_url)
    named = database_named(config, data_dir=data_dir, database_url=database_url)
    db, box, _ = open_deployment(settings, named=named)
    return settings, db, box


@shop_app.command("create")
def shop_create(
    name: str = typer.Argument(..., help="Shop name: NAME.myshopify.com"),
    as_json: bool = typer.Option(False, "--json", help="Print the shop as JSON."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
) -> None:
    """Create a shop in the deployment's database and print its access token and app secret (shown once)."""
    from bulkops.app.deployment import display_url
    from bulkops.clock import SystemClock
    from bulkops.domain.shops.rules import InvalidShopName, create_shop

    with reporting(debug):
        settings, db, box = open_admin(config, data_dir, database_url)
    try:
        with db.write() as conn:
            shop = create_shop(conn, name, SystemClock().now(), box)
    except InvalidShopName as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    print(f"Created shop {shop.domain} in {display_url(settings.db_url)}", file=sys.stderr)
    print_shop(shop, as_json)


def print_shop(shop: Shop, as_json: bool) -> None:
    if as_json:
        print(orjson.dumps({"id": shop.gid, "name": shop.name, "domain": shop.domain,
                            "access_token": shop.access_token, "api_secret": shop.api_secret}).decode())
        return
    console.print(f"Shop [bold]{shop.domain}[/bold]", highlight=False)
    print_credentials(shop)


@shop_app.command("token")
def shop_token(
    name: str = typer.Argument(..., help="Shop NAME (or NAME.myshopify.com)."),
    as_json: bool = typer.Option(False, "--json", help="Print the shop as JSON."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
) -> None:
    """Make the shop a new access token and print it with the app secret: the old token stops working (the
    database keeps only a token's digest, so a token is shown once, when it is made)."""
    from bulkops.domain.shops.rules import new_access_token, shop_by_name

    with reporting(debug):
        _, db, box = open_admin(config, data_dir, database_url)
        with db.write() as conn:
            shop = shop_by_name(conn, name)
            if shop is None:
                raise ConfigError(f"no shop named {name!r}", "bulkops shop list shows the shops")
            print_shop(new_access_token(conn, shop, box), as_json)


@shop_app.command("list")
def shop_list(
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
) -> None:
    """List shops (their tokens are not kept: `bulkops shop token NAME` makes a new one)."""
    from bulkops.domain.shops.rules import list_shops

    with reporting(debug):
        _, db, _ = open_admin(config, data_dir, database_url)
    with db.read() as conn:
        for shop in list_shops(conn):
            print(f"{shop.domain}{chr(9) + 'development' if shop.is_development else ''}")


@app.command()
def seed(
    products: int = typer.Option(0, "--products", help="Products to add."),
    variants_per_product: int = typer.Option(1, "--variants-per-product", help="Variants per product (1-48)."),
    customers: int = typer.Option(0, "--customers", help="Customers to add."),
    orders: int = typer.Option(0, "--orders", help="Orders to add (of the shop's variants and customers)."),
    shop: str | None = typer.Option(None, "--shop", help="Shop NAME (default: the development shop)."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
) -> None:
    """Fill a shop with realistic products, variants, customers and orders, fast (for demos, tests, benchmarks)."""
    import time

    from bulkops.clock import SystemClock
    from bulkops.domain.shops.seed import seed_shop, shop_to_seed

    with reporting(debug):
        _, db, box = open_admin(config, data_dir, database_url)
    now = SystemClock().now()
    target = shop_to_seed(db, shop, now, box)
    if target is None:
        console.print(f"[red]No shop named {shop!r}.[/red]")
        raise typer.Exit(2)
    started = time.monotonic()
    try:
        report = seed_shop(db, target.id, products_count=products, variants_per_product=variants_per_product,
                           customers_count=customers, orders_count=orders, now=now)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    print(f"Seeded {target.domain}: {report.products} products, {report.variants} variants, "
          f"{report.customers} customers, {report.orders} orders in {time.monotonic() - started:.1f}s")


LOAD_BLOCK = 2_000
"""Lines per transaction when loading a file."""


@app.command()
def load(
    file: Path = typer.Argument(..., help="A bulk-query result file (JSONL) exactly as Shopify writes it.",
                                exists=True, dir_okay=False, readable=True),
    shop: str | None = typer.Option(None, "--shop", help="Shop NAME (default: the development shop)."),
    new_ids: bool = typer.Option(False, "--new-ids", help="Give products, variants, collections, customers, "
                                 "metafields, media and orders (with their line items, shipping lines and "
                                 "transactions) the next free ids instead of their own (links in the "
                                 "file follow), e.g. to load one export into several shops of a server."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
) -> None:
    """Load a store from its own export: every node of the file (children by their __parentId, nested objects
    as they are) is stored under the shop, so the same bulk query here returns the same lines.

    Ids are KEPT: gid://shopify/Product/123 becomes product 123 of the shop (an id another shop of this server
    holds is refused: load each store into a data dir of its own, or use --new-ids). Loading again updates what it
    loaded.
    """
    from itertools import islice

    from bulkops.clock import SystemClock
    from bulkops.domain.documents.load import LoadReport, load_nodes
    from bulkops.domain.shops.seed import shop_to_seed

    with reporting(debug):
        _, db, box = open_admin(config, data_dir, database_url)
    now = SystemClock().now()
    target = shop_to_seed(db, shop, now, box)
    if target is None:
        console.print(f"[red]No shop named {shop!r}.[/red]")
        raise typer.Exit(2)
    report = LoadReport()
    with file.open("rb") as lines:
        first = 1
        while block := list(islice(lines, LOAD_BLOCK)):
            with db.write() as conn:
                load_nodes(conn, target.id, block, now, report=report, first_line=first, new_ids=new_ids,
                           final=False)
            first += len(block)
    with db.write() as conn:
        load_nodes(conn, target.id, [], now, report=report, final=True)
    kinds = ", ".join(f"{count} {name}" for name, count in sorted(report.nodes.items()))
    print(f"Loaded {report.total} nodes into {target.domain} ({report.in_tables} into tables): {kinds or 'none'}")
    for error in report.errors:
        print(f"  {error}", file=sys.stderr)
    if report.failed:
        print(f"{report.failed} lines not loaded.", file=sys.stderr)
        raise typer.Exit(1)


@app.command()
def coverage(
    type_name: str | None = typer.Option(None, "--type", help="Only this object type (e.g. Product)."),
    as_json: bool = typer.Option(False, "--json", help="Print the types and their fields' sources as JSON."),
) -> None:
    """Print, per object type the served schema (2026-01) reaches from QueryRoot and per field, where its value comes from:
    column, computed, child connection, resolver, document, constant, empty, nested or refused."""
    from bulkops.graphql.coverage import UnknownType, lines
    from bulkops.graphql.coverage import coverage as coverage_of
    from bulkops.graphql.schema import schema_for_generation

    try:
        report = coverage_of(schema_for_generation(True), type_name)
    except UnknownType as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if as_json:
        print(orjson.dumps([t.as_json() for t in report]).decode())
        return
    for line in lines(report):
        print(line)


@webhooks_app.command("deliveries")
def webhook_deliveries(
    shop: str | None = typer.Option(None, "--shop", help="Only this shop's deliveries (NAME or NAME.myshopify.com)."),
    as_json: bool = typer.Option(False, "--json", help="Print deliveries and their attempts as JSON."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    config: Path | None = ConfigFile,
    debug: bool = Debug,
) -> None:
    """List webhook deliveries, newest first, with every attempt's outcome and response code."""
    from bulkops.webhooks.outbox import deliveries_report

    with reporting(debug):
        _, db, _ = open_admin(config, data_dir, database_url)
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
