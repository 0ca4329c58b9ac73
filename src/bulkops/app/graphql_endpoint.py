"""``POST /admin/api/{version}/graphql.json``: auth, version, body, then the GraphQL layer in a thread."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from ariadne.explorer import ExplorerGraphiQL
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bulkops.app.auth import INVALID_TOKEN_BODY, authenticate_request
from bulkops.app.urls import base_url
from bulkops.engine.faults import FaultType
from bulkops.engine.runtime import Runtime
from bulkops.graphql.execution import PreparedCache, execute_request, throttled_response
from bulkops.protocol.versions import effective_version


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _bad_request(message: str) -> Response:
    return json_response({"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}, 400)


def _too_large(max_bytes: int) -> Response:
    """No Shopify body for this is recorded (UNCONFIRMED): a 413 in the envelope of the other request errors."""
    message = f"The request body is too large: the maximum is {max_bytes} bytes."
    return json_response({"errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}, 413)


async def _bounded_body(request: Request, max_bytes: int) -> bytes | Response:
    """The body, read no further than ``max_bytes`` (a declared length past it is refused before reading)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return _too_large(max_bytes)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_body(request: Request, max_bytes: int) -> tuple[str, dict[str, Any] | None, str | None] | Response:
    raw = await _bounded_body(request, max_bytes)
    if isinstance(raw, Response):
        return raw
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/graphql":
        try:
            return raw.decode(), None, None
        except UnicodeDecodeError:
            return _bad_request("The request body is not valid UTF-8.")
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return _bad_request("The request body is not valid JSON.")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _bad_request("Parameter Missing or Invalid: the body needs a `query` string.")
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return _bad_request("`variables` must be a JSON object.")
    operation_name = body.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return _bad_request("`operationName` must be a string.")
    return body["query"], variables, operation_name


def _http_fault(status: int, throttled: Callable[[], dict[str, Any]]) -> Response:
    """A GRAPHQL_HTTP fault's answer: 429 with Shopify's THROTTLED body and cost (spec 1.4); 500 with its
    INTERNAL_SERVER_ERROR body; 503 in the same envelope (Shopify's 503 body is UNCONFIRMED). ``Retry-After`` on the
    429 is UNCONFIRMED for GraphQL (Shopify's REST answers carry it); a client that honours it waits a second."""
    if status == 429:
        return json_response(throttled(), 429, headers={"Retry-After": "1"})
    if status == 500:
        request_id = str(uuid.uuid4())
        message = (f"Internal error. Looks like something went wrong on our end. Request ID: {request_id} "
                   "(include this in support requests).")
        return json_response({"errors": [{"message": message, "extensions": {
            "code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}]}, 500)
    return json_response({"errors": [{"message": "Service Unavailable",
                                      "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}, status)


async def _injected_fault(runtime: Runtime, shop: str, version: str, query: str, variables: dict[str, Any] | None,
                          operation_name: str | None) -> Response | None:
    """The emulator's faults on an Admin GraphQL request: LATENCY waits first, GRAPHQL_HTTP answers instead."""
    emulation = runtime.engine.emulation
    if emulation is None:
        return None
    struck = await run_in_threadpool(emulation.strikes, shop, FaultType.LATENCY, FaultType.GRAPHQL_HTTP)
    if FaultType.LATENCY in struck:
        await asyncio.sleep(int(struck[FaultType.LATENCY]["ms"]) / 1000)
    failure = struck.get(FaultType.GRAPHQL_HTTP)
    if failure is None:
        return None
    return _http_fault(int(failure["status"]), lambda: throttled_response(runtime, version, query, variables,
                                                                           operation_name))


@dataclass
class Seen:
    """What one call of the endpoint was, for the control plane's request log (never its token nor its body)."""

    method: str = "POST"
    version: str | None = None
    shop: str | None = None
    query: str | None = None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    result: dict[str, Any] | None = None
    status: int = 0
    duration_ms: int = 0


Recorder = Callable[[Seen], None]
"""Called (off the event loop) with each call once answered: the request log (``app/control/requests.py``)."""


def graphql_handler(runtime: Runtime, recorder: Recorder | None = None) -> Callable[[Request], Awaitable[Response]]:
    explorer = ExplorerGraphiQL(title="bulkops GraphiQL")
    prepared = PreparedCache(runtime.settings.parse_cache_bytes)

    async def answer(request: Request, seen: Seen) -> Response:
        version = seen.version = effective_version(request.path_params["version"])
        if version is None:
            return json_response({"errors": "Not Found"}, 404)
        if request.method == "GET":
            return HTMLResponse(explorer.html(None) or "")
        shop = await run_in_threadpool(authenticate_request, runtime.db, request, runtime.settings.proxy_headers)
        if shop is None:
            return json_response(INVALID_TOKEN_BODY, 401)
        seen.shop = shop.domain
        parsed = await _read_body(request, runtime.settings.graphql_body_max_bytes)
        if isinstance(parsed, Response):
            return parsed
        query, variables, operation_name = seen.query, seen.variables, seen.operation_name = parsed
        injected = await _injected_fault(runtime, shop.domain, version, query, variables, operation_name)
        if injected is not None:
            return injected
        response = seen.result = await run_in_threadpool(
            execute_request, runtime, shop, version, base_url(request, runtime.settings.public_base_url,
                                                                runtime.settings.proxy_headers),
            query, variables, operation_name, prepared,
        )
        return json_response(response, headers={"X-Shopify-API-Version": version})

    async def handle(request: Request) -> Response:
        if recorder is None:
            return await answer(request, Seen())
        started, seen = time.monotonic(), Seen(method=request.method)
        response = await answer(request, seen)
        seen.status, seen.duration_ms = response.status_code, round((time.monotonic() - started) * 1000)
        await run_in_threadpool(recorder, seen)
        return response

    return handle
