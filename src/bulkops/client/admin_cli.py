"""``bulkops admin ...``: the control plane (``/__bulkops/``) of a running server from the command line: reset,
seed, the virtual clock, the request log, state dump and restore, progression rules and faults. Prints the server's JSON answer; a refused call is one red line and exit code 2."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console

admin_app = typer.Typer(help="The control plane of a running bulkops server: reset, seed, clock...",
                        no_args_is_help=True)
clock_app = typer.Typer(help="The server's virtual clock (every timed rule follows it).", no_args_is_help=True)
admin_app.add_typer(clock_app, name="clock")
requests_app = typer.Typer(help="The Shopify endpoint's recent calls (never tokens nor bodies).",
                           no_args_is_help=True)
admin_app.add_typer(requests_app, name="requests")
state_app = typer.Typer(help="Dump or restore the deployment's state (rows and files) as a .tar.gz.",
                        no_args_is_help=True)
admin_app.add_typer(state_app, name="state")
progression_app = typer.Typer(help="How fast operations move: realtime, immediate, rate, manual, polls.",
                              no_args_is_help=True)
admin_app.add_typer(progression_app, name="progression")
faults_app = typer.Typer(help="Seeded faults: FAIL_OPERATION, LINE_ERROR, CRASH_WORKER, STUCK, GRAPHQL_HTTP, "
                              "UPLOAD_REJECT, DOWNLOAD_FAIL, WEBHOOK_FAIL, LATENCY.", no_args_is_help=True)
admin_app.add_typer(faults_app, name="faults")
err_console = Console(stderr=True)

AdminUrl = typer.Option("http://127.0.0.1:8000", "--url", envvar="BULKOPS_URL", show_envvar=True,
                        help="The bulkops server's base URL.")
AdminToken = typer.Option(None, "--admin-token", envvar="BULKOPS_ADMIN_TOKEN", show_envvar=True,
                          help="The server's admin token (needed off loopback).")


@contextmanager
def _answer_errors() -> Iterator[None]:
    import httpx

    from bulkops.client.control import ControlPlaneError

    try:
        yield
    except (ControlPlaneError, httpx.HTTPError) as exc:
        err_console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


def _run(url: str, token: str | None, call: Callable[[Any], Any]) -> None:
    """One call on the server's control plane; its answer printed as JSON."""
    from bulkops.client.control import ControlPlane

    with _answer_errors(), ControlPlane(url, token) as control:
        answer = call(control)
    shown = asdict(answer) if is_dataclass(answer) and not isinstance(answer, type) else answer
    print(orjson.dumps(shown).decode())


@admin_app.command("reset")
def reset(
    scope: str = typer.Option("all", "--scope", help="all, operations, shop_data or webhooks."),
    shop: str | None = typer.Option(None, "--shop", help="Only this shop (NAME or NAME.myshopify.com)."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Cancel the work in flight, delete the scope's rows and files, restart ids (shops and tokens stay)."""
    _run(url, admin_token, lambda c: c.reset(scope, shop))


@admin_app.command("seed")
def seed(
    fixture: str = typer.Option("products", "--fixture", help="products or customers."),
    count: int = typer.Option(10, "--count", help="How many."),
    seed_value: int = typer.Option(1, "--seed", help="Same seed after a reset: same ids and data."),
    variants_per_product: int = typer.Option(1, "--variants-per-product", help="Variants per product (1-48)."),
    shop: str | None = typer.Option(None, "--shop", help="Shop NAME (default: the development shop)."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Add deterministic fixtures to a shop."""
    _run(url, admin_token, lambda c: c.seed(fixture, count, seed_value, shop, variants_per_product))


@clock_app.command("show")
def clock_show(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """The server's time and its offset from real time."""
    _run(url, admin_token, lambda c: c.clock())


@clock_app.command("advance")
def clock_advance(
    duration: str = typer.Argument(..., help="7d, 1d12h, 90s... (backwards: -1h with --force)."),
    force: bool = typer.Option(False, "--force", help="Allow moving backwards."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Move the server's time forward (expiries, time limits, webhook retries follow)."""
    _run(url, admin_token, lambda c: c.advance_clock(duration, force))


@clock_app.command("set")
def clock_set(
    instant: str = typer.Argument(..., help="An ISO 8601 time, e.g. 2026-01-08T00:00:00Z."),
    force: bool = typer.Option(False, "--force", help="Allow moving backwards."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Make the server's time this instant."""
    _run(url, admin_token, lambda c: c.set_clock(instant, force))


@clock_app.command("real")
def clock_real(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """Back to real time."""
    _run(url, admin_token, lambda c: c.real_time())


@requests_app.command("list")
def requests_list(
    shop: str | None = typer.Option(None, "--shop", help="Only this shop's calls (NAME or NAME.myshopify.com)."),
    limit: int | None = typer.Option(None, "--limit", help="Only the newest N."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """The calls, oldest first, as JSON."""
    _run(url, admin_token, lambda c: c.requests(shop, limit))


@requests_app.command("clear")
def requests_clear(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """Empty the request log."""
    _run(url, admin_token, lambda c: {"deleted": c.clear_requests()})


@state_app.command("dump")
def state_dump(
    archive: Path = typer.Argument(..., help="The .tar.gz file to write."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Write the deployment's rows and files to ARCHIVE."""
    _run(url, admin_token, lambda c: {"archive": str(archive), "bytes": archive.write_bytes(c.dump_state())})


@state_app.command("restore")
def state_restore(
    archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .tar.gz `state dump` wrote."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Replace the deployment's rows and files with ARCHIVE's."""
    _run(url, admin_token, lambda c: c.restore_state(archive.read_bytes()))


Rules = typer.Argument(..., metavar="JSON...", help="One JSON object per rule.")


def _objects(raws: list[str]) -> list[dict[str, Any]]:
    out = []
    for raw in raws:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise typer.BadParameter(f"not JSON: {raw}") from exc
        if not isinstance(value, dict):
            raise typer.BadParameter(f"not a JSON object: {raw}")
        out.append(value)
    return out


@progression_app.command("show")
def progression_show(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """The progression rules in force."""
    _run(url, admin_token, lambda plane: plane.progression())


@progression_app.command("set")
def progression_set(rules: list[str] = Rules, url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """Replace the rules, e.g. '{"match": {"type": "MUTATION"}, "mode": "manual"}'."""
    parsed = _objects(rules)
    _run(url, admin_token, lambda plane: plane.set_progression(*parsed))


@progression_app.command("clear")
def progression_clear(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """Remove every rule (operations go back to realtime)."""
    _run(url, admin_token, lambda plane: {"deleted": plane.clear_progression()})


@faults_app.command("show")
def faults_show(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """The faults set, with how often each fired."""
    _run(url, admin_token, lambda plane: plane.faults())


@faults_app.command("set")
def faults_set(faults: list[str] = Rules, url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """Replace the faults, e.g. '{"type": "GRAPHQL_HTTP", "status": 429, "times": 2}'."""
    parsed = _objects(faults)
    _run(url, admin_token, lambda plane: plane.set_faults(*parsed))


@faults_app.command("clear")
def faults_clear(url: str = AdminUrl, admin_token: str | None = AdminToken) -> None:
    """Remove every fault."""
    _run(url, admin_token, lambda plane: {"deleted": plane.clear_faults()})


@admin_app.command("advance")
def advance(
    operation_id: str = typer.Argument(..., help="The operation's gid (or its number)."),
    lines: int | None = typer.Option(None, "--lines", min=1, help="Run this many more of its lines."),
    to: str | None = typer.Option(None, "--to", help="COMPLETED, FAILED, EXPIRED or CANCELED."),
    url: str = AdminUrl,
    admin_token: str | None = AdminToken,
) -> None:
    """Move an operation by hand (any mode; ``manual`` operations move only so)."""
    if (lines is None) == (to is None):
        raise typer.BadParameter("give exactly one of --lines N and --to STATUS")
    _run(url, admin_token, lambda plane: plane.advance(operation_id, lines=lines, to=to))
