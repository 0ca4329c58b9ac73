"""``GET/PUT/DELETE /__bulkops/faults``: the seeded faults every process of the deployment injects."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.common import Handler, answer, json_body, refuse, rule_list
from bulkops.engine import faults
from bulkops.engine.emulation_rules import FAULT, RuleError, clear_rules
from bulkops.engine.runtime import Runtime


def _list(runtime: Runtime) -> list[dict[str, object]]:
    with runtime.db.read() as conn:
        return faults.list_faults(conn)


def _put(runtime: Runtime, raws: list[object]) -> list[dict[str, object]]:
    with runtime.db.write() as conn:
        return faults.put_faults(conn, raws, runtime.clock.now())


def _clear(runtime: Runtime) -> int:
    with runtime.db.write() as conn:
        return clear_rules(conn, FAULT)


def faults_handler(runtime: Runtime) -> Handler:
    async def handle(request: Request) -> Response:
        if request.method == "GET":
            return answer({"faults": await run_in_threadpool(_list, runtime)})
        if request.method == "DELETE":
            return answer({"deleted": await run_in_threadpool(_clear, runtime)})
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        raws = rule_list(body, "faults")
        if raws is None:
            return refuse('the body must be {"faults": [...]}')
        try:
            return answer({"faults": await run_in_threadpool(_put, runtime, raws)})
        except RuleError as exc:
            return refuse(str(exc))

    return handle


def routes(runtime: Runtime) -> list[Route]:
    return [Route("/__bulkops/faults", faults_handler(runtime), methods=["GET", "PUT", "DELETE"])]
