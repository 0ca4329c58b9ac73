"""``/healthz`` (the process answers) and ``/readyz`` (it can do its job: database, file store and queue
reachable, and operations waiting in CREATED have a live worker to run them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from bulkops.clock import iso_z
from bulkops.db.tables import bulk_operations
from bulkops.engine.heartbeats import live_workers
from bulkops.engine.lifecycle import Status
from bulkops.engine.runtime import Runtime

PROBE_KEY = "bulkops-readyz-probe"
"""A key looked up (never written) to prove the file store answers."""


def helper_state(runtime: Runtime) -> str:
    """Import helper processes: warm ("ready"), "starting", or "off"."""
    helpers = runtime.helpers
    return "off" if helpers is None else "ready" if helpers.ready else "starting"


def health_handler(runtime: Runtime) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def health(_: Request) -> JSONResponse:
        """Liveness only: up, whatever its dependencies say (``/readyz`` checks those). ``retrying`` (only when
        there are some) lists the operations waiting out a storage failure, and why."""
        body: dict[str, object] = {"ok": True, "helpers": helper_state(runtime)}
        retrying = await run_in_threadpool(runtime.engine.retrying)
        if retrying:
            body["retrying"] = [{"id": op.gid, "status": op.status.value, "retries": op.retries,
                                 "reason": op.retry_reason} for op in retrying]
        return JSONResponse(body)

    return health


@dataclass
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def check(self, name: str, probe: Callable[[], dict[str, Any] | None]) -> None:
        """Run one probe: it returns details, or raises when the dependency does not answer."""
        try:
            self.checks[name] = {"ok": True, **(probe() or {})}
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.checks[name] = {"ok": False, "error": message}
            self.reasons.append(f"{name} unreachable: {message}")

    def as_json(self) -> dict[str, Any]:
        return {"ready": not self.reasons, "reasons": self.reasons, "checks": self.checks}


def _database(runtime: Runtime) -> None:
    with runtime.db.read() as conn:
        conn.execute(text("SELECT 1"))


def _storage(runtime: Runtime) -> None:
    runtime.store.exists(PROBE_KEY)


def _queue(runtime: Runtime) -> dict[str, Any]:
    ping = getattr(runtime.queue, "ping", None)
    if ping is not None:
        ping()
    return {"kind": "celery" if ping is not None else "in-process"}


def _oldest_waiting(runtime: Runtime) -> tuple[int, datetime | None]:
    """Operations in CREATED and the creation time of the oldest."""
    with runtime.db.read() as conn:
        row = conn.execute(
            select(func.count(), func.min(bulk_operations.c.created_at))
            .where(bulk_operations.c.status == Status.CREATED.value)
        ).one()
    return int(row[0]), row[1]


def _workers(runtime: Runtime, readiness: Readiness) -> dict[str, Any]:
    """Live workers, and a reason to fail when an operation has waited too long with none."""
    now = runtime.clock.now()
    with runtime.db.read() as conn:
        workers = live_workers(conn, now - timedelta(seconds=runtime.settings.worker_stale_s))
    waiting, oldest = _oldest_waiting(runtime)
    waited_s = (now - oldest).total_seconds() if oldest else 0.0
    if waiting and not workers.count and waited_s > runtime.settings.ready_wait_s:
        last = f"last heartbeat {iso_z(workers.last_beat)}" if workers.last_beat else "no worker is registered"
        readiness.reasons.append(
            f"{waiting} bulk operation(s) waiting in CREATED for up to {waited_s:.0f} s and no live worker ({last})")
    return {"alive": workers.count, "last_heartbeat": iso_z(workers.last_beat), "waiting": waiting,
            "oldest_waiting_s": round(waited_s, 1)}


def readiness(runtime: Runtime) -> Readiness:
    found = Readiness()
    found.check("database", lambda: _database(runtime))
    found.check("storage", lambda: _storage(runtime))
    found.check("queue", lambda: _queue(runtime))
    if found.checks["database"]["ok"]:
        found.check("workers", lambda: _workers(runtime, found))
    return found


def ready_handler(runtime: Runtime) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def ready(_: Request) -> JSONResponse:
        """200 when ready, 503 with every reason otherwise (probes block: they run off the event loop)."""
        found = await run_in_threadpool(readiness, runtime)
        return JSONResponse(found.as_json(), status_code=200 if not found.reasons else 503)

    return ready
