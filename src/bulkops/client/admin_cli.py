"""``bulkops admin ...``: the emulator's control plane (``/__bulkops/``) from the command line, one group per topic.
Stands alone like the rest of client/ (httpx through ``client/control.py``); the output is JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer

from bulkops.client.control import ControlPlane, ControlPlaneError

app = typer.Typer(help="The emulator's control plane (bulkops only, never a Shopify shop).", no_args_is_help=True,
                  pretty_exceptions_enable=False)
progression_app = typer.Typer(help="How fast operations move: realtime, immediate, rate, manual, polls.",
                              no_args_is_help=True)
faults_app = typer.Typer(help="Seeded faults: FAIL_OPERATION, LINE_ERROR, CRASH_WORKER, STUCK, GRAPHQL_HTTP, "
                              "UPLOAD_REJECT, DOWNLOAD_FAIL, WEBHOOK_FAIL, LATENCY.", no_args_is_help=True)
app.add_typer(progression_app, name="progression")
app.add_typer(faults_app, name="faults")

Url = typer.Option("http://127.0.0.1:8000", "--url", envvar="BULKOPS_URL", show_envvar=True,
                   help="The bulkops server's base URL.")
AdminToken = typer.Option(None, "--admin-token", envvar="BULKOPS_ADMIN_TOKEN", show_envvar=True,
                          help="The control plane's token (a server not on loopback requires one).")
Rules = typer.Argument(..., metavar="JSON...", help="One JSON object per rule.")


def _print(value: Any) -> None:
    typer.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


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


@contextmanager
def _plane(url: str, token: str | None) -> Iterator[ControlPlane]:
    """The control plane; a refusal or an unreachable server is one line on stderr and exit code 2."""
    import httpx

    try:
        with ControlPlane(url, token) as plane:
            yield plane
    except (ControlPlaneError, httpx.HTTPError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _run(url: str, token: str | None, call: Callable[[ControlPlane], Any]) -> None:
    with _plane(url, token) as plane:
        _print(call(plane))


@progression_app.command("show")
def progression_show(url: str = Url, admin_token: str | None = AdminToken) -> None:
    """The progression rules in force."""
    _run(url, admin_token, lambda plane: plane.progression())


@progression_app.command("set")
def progression_set(rules: list[str] = Rules, url: str = Url, admin_token: str | None = AdminToken) -> None:
    """Replace the rules, e.g. '{"match": {"type": "MUTATION"}, "mode": "manual"}'."""
    parsed = _objects(rules)
    _run(url, admin_token, lambda plane: plane.set_progression(*parsed))


@progression_app.command("clear")
def progression_clear(url: str = Url, admin_token: str | None = AdminToken) -> None:
    """Remove every rule (operations go back to realtime)."""
    _run(url, admin_token, lambda plane: {"deleted": plane.clear_progression()})


@faults_app.command("show")
def faults_show(url: str = Url, admin_token: str | None = AdminToken) -> None:
    """The faults set, with how often each fired."""
    _run(url, admin_token, lambda plane: plane.faults())


@faults_app.command("set")
def faults_set(faults: list[str] = Rules, url: str = Url, admin_token: str | None = AdminToken) -> None:
    """Replace the faults, e.g. '{"type": "GRAPHQL_HTTP", "status": 429, "times": 2}'."""
    parsed = _objects(faults)
    _run(url, admin_token, lambda plane: plane.set_faults(*parsed))


@faults_app.command("clear")
def faults_clear(url: str = Url, admin_token: str | None = AdminToken) -> None:
    """Remove every fault."""
    _run(url, admin_token, lambda plane: {"deleted": plane.clear_faults()})


@app.command("advance")
def advance(
    operation_id: str = typer.Argument(..., help="The operation's gid (or its number)."),
    lines: int | None = typer.Option(None, "--lines", min=1, help="Run this many more of its lines."),
    to: str | None = typer.Option(None, "--to", help="COMPLETED, FAILED, EXPIRED or CANCELED."),
    url: str = Url,
    admin_token: str | None = AdminToken,
) -> None:
    """Move an operation by hand (any mode; ``manual`` operations move only so)."""
    if (lines is None) == (to is None):
        raise typer.BadParameter("give exactly one of --lines N and --to STATUS")
    _run(url, admin_token, lambda plane: plane.advance(operation_id, lines=lines, to=to).__dict__)
