"""``GET/PUT/DELETE /__bulkops/progression`` (how fast operations move) and
``POST /__bulkops/operations/{id}/advance`` (move one by hand)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.common import Handler, answer, json_body, refuse, rule_list
from bulkops.engine import operations as ops
from bulkops.engine import progression as rules
from bulkops.engine.emulation_rules import PROGRESSION, RuleError, clear_rules, operation_number
from bulkops.engine.lifecycle import Status
from bulkops.engine.runtime import Runtime

ADVANCE_TARGETS = ("COMPLETED", "FAILED", "EXPIRED", "CANCELED")


def _list(runtime: Runtime) -> list[dict[str, object]]:
    with runtime.db.read() as conn:
        return rules.list_rules(conn)


def _put(runtime: Runtime, raws: list[object]) -> list[dict[str, object]]:
    with runtime.db.write() as conn:
        return rules.put_rules(conn, raws, runtime.clock.now())


def _clear(runtime: Runtime) -> int:
    with runtime.db.write() as conn:
        return clear_rules(conn, PROGRESSION)


def _operation(runtime: Runtime, number: int) -> dict[str, object] | None:
    with runtime.db.read() as conn:
        op = ops.get(conn, number)
        done = ops.lines_done(conn, number)
    if op is None:
        return None
    return {"id": op.gid, "status": op.status.value, "errorCode": op.error_code,
            "objectCount": str(op.object_count), "linesDone": done}


def progression_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        if request.method == "GET":
            return answer({"rules": await run_in_threadpool(_list, runtime)})
        if request.method == "DELETE":
            return answer({"deleted": await run_in_threadpool(_clear, runtime)})
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        raws = rule_list(body, "rules")
        if raws is None:
            return refuse('the body must be {"rules": [...]}')
        try:
            return answer({"rules": await run_in_threadpool(_put, runtime, raws)})
        except RuleError as exc:
            return refuse(str(exc))

    return handle


def _advance_request(body: object) -> tuple[int | None, Status | None] | str:
    """``{"lines": N}`` or ``{"to": STATUS}``, or why not."""
    if not isinstance(body, dict) or ("lines" in body) == ("to" in body):
        return 'the body must be {"lines": N} or {"to": "COMPLETED"|"FAILED"|"EXPIRED"|"CANCELED"}'
    if "lines" in body:
        lines = body["lines"]
        if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
            return "lines must be a whole number >= 1"
        return lines, None
    if body["to"] not in ADVANCE_TARGETS:
        return f"to must be one of {', '.join(ADVANCE_TARGETS)}"
    return None, Status(body["to"])


def advance_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        try:
            number = operation_number(request.path_params["id"])
        except RuleError as exc:
            return refuse(str(exc), 404)
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        wanted = _advance_request(body)
        if isinstance(wanted, str):
            return refuse(wanted)
        problem = await run_in_threadpool(runtime.engine.advance, number, wanted[0], wanted[1])
        if problem == "Bulk operation does not exist":
            return refuse(problem, 404)
        if problem is not None:
            return refuse(problem, 409)
        return answer(await run_in_threadpool(_operation, runtime, number))

    return handle


def routes(runtime: Runtime) -> list[Route]:
    return [
        Route("/__bulkops/progression", progression_handler(runtime), methods=["GET", "PUT", "DELETE"]),
        Route("/__bulkops/operations/{id:path}/advance", advance_handler(runtime), methods=["POST"]),
    ]
