"""``GET /__bulkops/health``: what a test harness checks before it starts: the version, the backends, every
worker with its last heartbeat (``engine/heartbeats.py``), and the queue depths (operations waiting, running,
canceling; webhook deliveries still being tried)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops import __version__
from bulkops.app.control.replies import reply
from bulkops.app.deployment import display_url
from bulkops.app.health import helper_state
from bulkops.clock import iso_z
from bulkops.engine.heartbeats import registered_workers
from bulkops.engine.operations import unfinished_counts
from bulkops.engine.runtime import Runtime
from bulkops.webhooks.outbox import pending_count


def backends(runtime: Runtime) -> dict[str, Any]:
    settings = runtime.settings
    return {
        "database": {"kind": "sqlite" if runtime.db.is_sqlite else "postgresql", "url": display_url(settings.db_url)},
        "storage": ({"kind": "s3", "bucket": settings.storage_url, "endpoint": settings.s3_endpoint_url}
                    if settings.storage_url else {"kind": "local"}),
        "queue": ({"kind": "celery", "url": display_url(settings.queue_url), "name": settings.queue_name}
                  if settings.queue_url else {"kind": "in-process", "workers": settings.workers}),
        "helpers": helper_state(runtime),
    }


def health(runtime: Runtime) -> dict[str, Any]:
    now = runtime.clock.now()
    alive_after = now - timedelta(seconds=runtime.settings.worker_stale_s)
    with runtime.db.read() as conn:
        workers = registered_workers(conn)
        depths = unfinished_counts(conn)
        webhooks = pending_count(conn)
    return {
        "version": __version__,
        "now": iso_z(now),
        "backends": backends(runtime),
        "workers": [{"name": w.name, "kind": w.kind, "host": w.host, "pid": w.pid, "startedAt": iso_z(w.started_at),
                     "lastHeartbeat": iso_z(w.heartbeat_at), "alive": w.heartbeat_at > alive_after}
                    for w in workers],
        "queues": {"operations": depths, "webhookDeliveries": webhooks},
    }


def routes(runtime: Runtime) -> list[Route]:
    async def health_endpoint(_: Request) -> Response:
        return reply(await run_in_threadpool(health, runtime))

    return [Route("/__bulkops/health", health_endpoint, methods=["GET"])]
