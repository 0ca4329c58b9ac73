"""``GET/POST/DELETE /__bulkops/clock``: read, move (``{"advance": "7d"}``, ``{"set": "2026-01-08T00:00:00Z"}``,
backwards only with ``"force": true``) or drop the deployment's virtual time (``engine/virtual_clock.py``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, field, json_object, reply
from bulkops.clock import iso_z
from bulkops.engine import virtual_clock as vc
from bulkops.engine.runtime import Runtime

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(-)?((?:\d+(?:\.\d+)?[wdhms])+)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")


def parse_duration(text: str | int | float) -> timedelta:
    """``"7d"``, ``"1d12h"``, ``"-2h"``, ``"90s"`` or a number of seconds."""
    if isinstance(text, int | float):
        return timedelta(seconds=text)
    match = _DURATION.match(text.strip())
    if not match:
        raise BadRequest(f"'advance' must be a duration like \"7d\", \"1d12h\" or \"90s\" (got {text!r})")
    seconds = sum(float(n) * _UNITS[unit] for n, unit in _PART.findall(match.group(2)))
    return timedelta(seconds=-seconds if match.group(1) else seconds)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time; without an offset it is UTC. Kept naive UTC, as the database keeps times."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"'set' must be an ISO 8601 time like \"2026-01-08T00:00:00Z\" (got {text!r})") from exc
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def shown(state: vc.ClockState) -> dict[str, object]:
    return {"now": iso_z(state.now), "offsetSeconds": state.offset_seconds, "virtual": state.virtual}


def routes(runtime: Runtime) -> list[Route]:
    real = vc.base_clock(runtime.clock)

    def current() -> vc.ClockState:
        with runtime.db.read() as conn:
            return vc.state(conn, real.now())

    def moved(body: dict[str, object]) -> vc.ClockState:
        force = bool(field(body, "force", bool, False))
        with runtime.db.write() as conn:
            try:
                if "advance" in body:
                    by = parse_duration(field(body, "advance", (str, int, float)))
                    moved_to = vc.advance(conn, real.now(), by, force)
                elif "set" in body:
                    moved_to = vc.set_time(conn, real.now(), parse_instant(field(body, "set", str)), force)
                else:
                    raise BadRequest("give {\"advance\": \"7d\"} or {\"set\": \"<ISO 8601 time>\"}")
            except vc.MovedBackwards as exc:
                raise BadRequest(str(exc), 409) from exc
        _follow(runtime)
        return moved_to

    def real_time() -> vc.ClockState:
        with runtime.db.write() as conn:
            vc.clear_offset(conn)
        _follow(runtime)
        return current()

    @answering
    async def clock(request: Request) -> Response:
        if request.method == "GET":
            return reply(shown(await run_in_threadpool(current)))
        if request.method == "DELETE":
            return reply(shown(await run_in_threadpool(real_time)))
        body = await json_object(request)
        return reply(shown(await run_in_threadpool(moved, body)))

    return [Route("/__bulkops/clock", clock, methods=["GET", "POST", "DELETE"])]


def _follow(runtime: Runtime) -> None:
    """This process reads the new time at once, and what lapsed by it (result URLs) shows at once."""
    vc.forget_offset(runtime.clock)
    runtime.engine.expire_due()
