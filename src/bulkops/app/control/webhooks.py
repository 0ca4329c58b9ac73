"""Webhooks under test: ``GET /__bulkops/webhooks/deliveries`` (``?shop=``: every delivery with its attempts),
``POST /__bulkops/webhooks/deliveries/{id}/redeliver`` and ``POST /__bulkops/webhooks/trigger``
``{"operationId"}`` (announce ``bulk_operations/finish`` for a finished operation again, to every
subscription its shop has now). The rules are ``webhooks/outbox.py``'s; the deliverer sends them as any other."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, field, json_object, reply
from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import TERMINAL
from bulkops.engine.runtime import Runtime
from bulkops.protocol.ids import id_of_type
from bulkops.webhooks import outbox


def routes(runtime: Runtime) -> list[Route]:
    def deliveries(shop: str | None) -> list[dict[str, Any]]:
        with runtime.db.read() as conn:
            return outbox.deliveries_report(conn, shop)

    def redelivered(delivery_id: int) -> int:
        with runtime.db.write() as conn:
            new_id = outbox.redeliver(conn, delivery_id, runtime.clock.now())
        if new_id is None:
            raise BadRequest(f"no webhook delivery {delivery_id}", 404)
        return new_id

    def triggered(raw_id: str) -> int:
        operation_id = id_of_type(raw_id, "BulkOperation") if raw_id.startswith("gid://") else (
            int(raw_id) if raw_id.isdigit() else None)
        if operation_id is None:
            raise BadRequest(f"'operationId' must be a BulkOperation id like gid://shopify/BulkOperation/1 "
                             f"(got {raw_id!r})")
        with runtime.db.write() as conn:
            op = ops.get(conn, operation_id)
            if op is None:
                raise BadRequest(f"no bulk operation {raw_id}", 404)
            if op.status not in TERMINAL:
                raise BadRequest(f"bulk operation {raw_id} is {op.status.value}: only a finished one announces "
                                 "bulk_operations/finish", 409)
            return outbox.announce_finish(conn, op, runtime.clock.now())

    @answering
    async def list_deliveries(request: Request) -> Response:
        return reply({"deliveries": await run_in_threadpool(deliveries, request.query_params.get("shop"))})

    @answering
    async def redeliver(request: Request) -> Response:
        raw = request.path_params["id"]
        if not raw.isdigit():
            raise BadRequest(f"no webhook delivery {raw}", 404)
        return reply({"deliveryId": await run_in_threadpool(redelivered, int(raw))})

    @answering
    async def trigger(request: Request) -> Response:
        body = await json_object(request)
        raw = field(body, "operationId", (str, int))
        if raw is None:
            raise BadRequest("give {\"operationId\": \"gid://shopify/BulkOperation/<n>\"}")
        return reply({"deliveries": await run_in_threadpool(triggered, str(raw))})

    return [
        Route("/__bulkops/webhooks/deliveries", list_deliveries, methods=["GET"]),
        Route("/__bulkops/webhooks/deliveries/{id}/redeliver", redeliver, methods=["POST"]),
        Route("/__bulkops/webhooks/trigger", trigger, methods=["POST"]),
    ]
