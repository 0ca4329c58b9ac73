"""``POST /__bulkops/reset`` ``{"scope": "all" | "operations" | "shop_data" | "webhooks", "shop"?,
"waitSeconds"?}`` (how long to wait for canceled work to stop, at most and by default 5): the rules
are ``engine/reset.py``'s; this reads the body, finds the shop and says what went."""

from __future__ import annotations

from dataclasses import asdict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, field, json_object, reply
from bulkops.domain.shops.rules import Shop, shop_by_name
from bulkops.engine.reset import DRAIN_WAIT_S, Scope, reset
from bulkops.engine.runtime import Runtime
from bulkops.engine.virtual_clock import forget_offset

SCOPES = ", ".join(f'"{s.value}"' for s in Scope)


def named_shop(runtime: Runtime, name: str) -> Shop:
    """The shop called ``name`` (or ``name.myshopify.com``), or a 404 saying so."""
    with runtime.db.read() as conn:
        shop = shop_by_name(conn, name)
    if shop is None:
        raise BadRequest(f"no shop named {name!r}", 404)
    return shop


def after_reset(runtime: Runtime) -> None:
    """What this process holds of the state just reset: the clock's offset, plans kept by operation id."""
    forget_offset(runtime.clock)
    runtime.kept_plans.clear()


def routes(runtime: Runtime) -> list[Route]:
    def done(scope: Scope, shop_name: str | None, wait_s: float) -> dict[str, object]:
        shop_id = named_shop(runtime, shop_name).id if shop_name else None
        report = reset(runtime.engine, scope, shop_id, wait_s)
        after_reset(runtime)
        return {"scope": scope.value, "shop": shop_name, **asdict(report)}

    @answering
    async def reset_endpoint(request: Request) -> Response:
        body = await json_object(request)
        try:
            scope = Scope(field(body, "scope", str, Scope.ALL.value))
        except ValueError as exc:
            raise BadRequest(f"'scope' must be one of {SCOPES}") from exc
        wait_s = field(body, "waitSeconds", (int, float), DRAIN_WAIT_S)
        if not 0 <= wait_s <= DRAIN_WAIT_S:
            raise BadRequest(f"'waitSeconds' must be between 0 and {DRAIN_WAIT_S:g}")
        return reply(await run_in_threadpool(done, scope, field(body, "shop", str), wait_s))

    return [Route("/__bulkops/reset", reset_endpoint, methods=["POST"])]
