"""The server's commands: ``bulkops serve``, ``worker``, ``seed``, ``shop ...`` and ``webhooks ...``.

Importing this module is cheap: each command imports the server (the runtime, the database, the schemas) only
when it runs, so ``bulkops import`` and ``bulkops --help`` never load it (``bulkops.cli`` joins both sides).
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import orjson
import typer
from rich.console import Console

from bulkops.config import settings_from_env

app = typer.Typer(help="bulkops server commands.", no_args_is_help=True, pretty_exceptions_enable=False)
shop_app = typer.Typer(help="Create and list shops (each has its own access token).", no_args_is_help=True)
app.add_typer(shop_app, name="shop")
webhooks_app = typer.Typer(help="Webhook deliveries: what was sent, and how each attempt went.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")
console = Console()

DataDir = typer.Option(None, "--data-dir", help="Where the database and files live (default ./data).")


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
