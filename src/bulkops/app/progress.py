"""Live progress, a bulkops extension beside the Admin API (invisible to Shopify clients), with the Admin API's
auth and shop isolation: ``POST /bulkops/v1/graphql`` (its own small schema, graphql/extension.py) and
``GET /bulkops/v1/operations/{id}/events``, a Server-Sent Events stream of one operation's state.

The stream sends the operation's state (the extension's ``operation`` answer) whenever it moves: a chunk
recorded, its line count known, a new status. An event's ``id`` grows with each of these, so a client that
comes back with ``Last-Event-ID`` gets the state only if it moved since. Quiet streams carry heartbeat comments;
the stream ends after the terminal status's event, when the client goes, or when the server shuts down.
Every database read runs in the thread pool: the event loop stays free for other requests."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from bulkops.app.auth import INVALID_TOKEN_BODY, authenticate, token_of
from bulkops.app.graphql_endpoint import _read_body, json_response
from bulkops.app.urls import base_url
from bulkops.engine import operations as ops
from bulkops.engine import progress
from bulkops.engine.lifecycle import TERMINAL, Status
from bulkops.engine.runtime import Runtime
from bulkops.graphql.extension import execute_extension

Handler = Callable[[Request], Awaitable[Response]]
STATUS_STEP = {Status.CREATED: 0, Status.RUNNING: 1, Status.CANCELING: 2, Status.COMPLETED: 3, Status.FAILED: 3,
               Status.CANCELED: 3, Status.EXPIRED: 4}
"""How far along its life a status is: a later status never has a smaller step."""


def routes(runtime: Runtime) -> list[Route]:
    return [
        Route("/bulkops/v1/graphql", extension_handler(runtime), methods=["POST"]),
        Route("/bulkops/v1/operations/{id}/events", events_handler(runtime), methods=["GET"]),
    ]


def _url(request: Request, runtime: Runtime) -> str:
    return base_url(request, runtime.settings.public_base_url, runtime.settings.proxy_headers)


def extension_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        shop = await run_in_threadpool(authenticate, runtime.db, token_of(request))
        if shop is None:
            return json_response(INVALID_TOKEN_BODY, 401)
        parsed = await _read_body(request, runtime.settings.graphql_body_max_bytes)
        if isinstance(parsed, Response):
            return parsed
        document, variables, operation_name = parsed
        answer = await run_in_threadpool(execute_extension, runtime, shop.id, _url(request, runtime), document,
                                         variables, operation_name)
        return json_response(answer)

    return handle


@dataclass(frozen=True)
class Snapshot:
    event_id: int
    view: dict[str, Any]
    finished: bool


def snapshot(runtime: Runtime, shop_id: int, number: int, url: str) -> Snapshot | None:
    """The operation's state now and its event id (None: the shop has no such operation). The id counts the
    chunks recorded, then the status's step, then whether the line count is known, so it only grows."""
    with runtime.db.read() as conn:
        op = ops.get(conn, number, shop_id)
        if op is None:
            return None
        where = progress.Where(runtime.store, runtime.settings.result_url_ttl_s, url, runtime.clock.now())
        view = progress.operation_view(conn, op, where)
        chunks = ops.chunk_count(conn, op.id)
    event_id = chunks * 16 + STATUS_STEP[op.status] * 2 + (op.input_lines is not None)
    return Snapshot(event_id, view, op.status in TERMINAL)


def last_event_id(request: Request) -> int:
    raw = request.headers.get("last-event-id", "").strip()
    return int(raw) if raw.isdigit() else -1


def event(state: Snapshot) -> bytes:
    return b"id: %d\nevent: operation\ndata: %s\n\n" % (state.event_id, orjson.dumps(state.view))


HEARTBEAT = b": heartbeat\n\n"


def events_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        shop = await run_in_threadpool(authenticate, runtime.db, token_of(request))
        if shop is None:
            return json_response(INVALID_TOKEN_BODY, 401)
        raw = request.path_params["id"]
        url = _url(request, runtime)
        first = await run_in_threadpool(snapshot, runtime, shop.id, int(raw), url) if raw.isdigit() else None
        if first is None:
            return json_response({"errors": "Not Found"}, 404)

        def read() -> Snapshot | None:
            return snapshot(runtime, shop.id, int(raw), url)

        stream = events(runtime, first, read, last_event_id(request))
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return handle


async def events(runtime: Runtime, state: Snapshot | None, read: Callable[[], Snapshot | None], sent: int
                 ) -> AsyncIterator[bytes]:
    """Each new state once, heartbeats in between; ends after a terminal state (sent now or before ``sent``), if
    the operation goes (a reset), or on shutdown. A client that leaves cancels this at its next ``await``."""
    settings = runtime.settings
    quiet_since = time.monotonic()
    while state is not None and not runtime.closing.is_set():
        if state.event_id > sent:
            yield event(state)
            sent, quiet_since = state.event_id, time.monotonic()
        if state.finished:
            return
        if time.monotonic() - quiet_since >= settings.progress_heartbeat_s:
            yield HEARTBEAT
            quiet_since = time.monotonic()
        await anyio.sleep(settings.progress_poll_s)
        state = await run_in_threadpool(read)
