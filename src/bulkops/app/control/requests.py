"""``GET/DELETE /__bulkops/requests``: the Shopify endpoint's recent calls, oldest first (``?shop=`` one shop's,
``?limit=`` the newest N), and the recorder the endpoint calls once it answered (``engine/request_log.py`` keeps
them). A row says what a test wants to check, never a token nor a body: time, shop, version, kind, operation
name, root fields, variables (truncated), status, error codes, duration, cost."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, reply
from bulkops.app.graphql_endpoint import Recorder, Seen
from bulkops.clock import iso_z
from bulkops.engine import request_log
from bulkops.engine.runtime import Runtime

VARIABLES_SHOWN = 512
"""Characters of a call's variables (as JSON) the log keeps."""
NAME_SHOWN = 255
"""Characters of an operation name the log keeps (its column's size)."""
SHAPES_CACHED_UP_TO = 10_000
"""Documents up to this size have their shape remembered (the same poll, again and again)."""


def recorder(runtime: Runtime) -> Recorder:
    """What the GraphQL endpoint calls with each answered call (explorer pages aside)."""

    def record(seen: Seen) -> None:
        if seen.method != "POST":
            return
        with runtime.db.write() as conn:
            request_log.record(conn, entry_of(seen, runtime))

    return record


def entry_of(seen: Seen, runtime: Runtime) -> request_log.LoggedRequest:
    kind, name, roots = (shape(seen.query, seen.operation_name) if seen.query is not None
                         else ("refused", seen.operation_name, ()))
    return request_log.LoggedRequest(
        at=runtime.clock.now(), shop=seen.shop, api_version=seen.version, kind=kind,
        operation_name=_clipped(name, NAME_SHOWN), root_fields=list(roots), variables=_truncated(seen.variables),
        status=seen.status, error_codes=error_codes(seen.result), duration_ms=seen.duration_ms,
        cost=_cost(seen.result))


Shape = tuple[str, str | None, tuple[str, ...]]


def shape(query: str, operation_name: str | None) -> Shape:
    """The operation's kind, name and root field names; ``refused`` for a document that does not parse or has no
    such operation."""
    if len(query) + len(operation_name or "") <= SHAPES_CACHED_UP_TO:
        return _remembered_shape(query, operation_name)
    return _shape(query, operation_name)


@lru_cache(maxsize=256)
def _remembered_shape(query: str, operation_name: str | None) -> Shape:
    return _shape(query, operation_name)


def _shape(query: str, operation_name: str | None) -> Shape:
    try:
        document = parse(query, no_location=True, max_tokens=50_000)
    except GraphQLError:
        return "refused", operation_name, ()
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if not chosen:
        return "refused", operation_name, ()
    operation = chosen[0]
    name = operation.name.value if operation.name else None
    return operation.operation.value, name, tuple(_root_names(operation.selection_set))


def _root_names(selections: SelectionSetNode) -> list[str]:
    names: list[str] = []
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            names.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names += _root_names(selection.selection_set)
    return names


def error_codes(result: dict[str, Any] | None) -> list[str]:
    """The codes of the request's errors, then of its payloads' userErrors, each once, in order."""
    if not isinstance(result, dict):
        return []
    codes = [str(e.get("extensions", {}).get("code")) for e in result.get("errors") or []
             if isinstance(e, dict) and isinstance(e.get("extensions"), dict) and e["extensions"].get("code")]
    for payload in (result.get("data") or {}).values():
        if isinstance(payload, dict):
            codes += [str(u["code"]) for u in payload.get("userErrors") or [] if isinstance(u, dict) and u.get("code")]
    return list(dict.fromkeys(codes))


def _cost(result: dict[str, Any] | None) -> int | None:
    cost = ((result or {}).get("extensions") or {}).get("cost") or {}
    value = cost.get("actualQueryCost", cost.get("requestedQueryCost"))
    return int(value) if isinstance(value, int | float) else None


def _clipped(text: str | None, most: int) -> str | None:
    return text if text is None or len(text) <= most else text[:most - 1] + "…"


def _truncated(variables: dict[str, Any] | None) -> str | None:
    if not variables:
        return None
    return _clipped(orjson.dumps(variables).decode(), VARIABLES_SHOWN)


def shown(entry: request_log.LoggedRequest) -> dict[str, Any]:
    return {"id": entry.id, "at": iso_z(entry.at), "shop": entry.shop, "apiVersion": entry.api_version,
            "kind": entry.kind, "operationName": entry.operation_name, "rootFields": entry.root_fields,
            "variables": entry.variables, "status": entry.status, "errorCodes": entry.error_codes,
            "durationMs": entry.duration_ms, "cost": entry.cost}


def routes(runtime: Runtime) -> list[Route]:
    def listed(limit: int, shop: str | None) -> list[dict[str, Any]]:
        with runtime.db.read() as conn:
            return [shown(e) for e in request_log.recent(conn, limit, shop)]

    def cleared() -> int:
        with runtime.db.write() as conn:
            return request_log.clear(conn)

    @answering
    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            return reply({"deleted": await run_in_threadpool(cleared)})
        raw = request.query_params.get("limit", str(request_log.REQUEST_LOG_SIZE))
        if not raw.isdigit() or not 1 <= int(raw) <= request_log.REQUEST_LOG_SIZE:
            raise BadRequest(f"'limit' must be a whole number from 1 to {request_log.REQUEST_LOG_SIZE}")
        shop = request.query_params.get("shop")
        if shop and "." not in shop:
            shop += ".myshopify.com"
        return reply({"requests": await run_in_threadpool(listed, int(raw), shop)})

    return [Route("/__bulkops/requests", requests, methods=["GET", "DELETE"])]
