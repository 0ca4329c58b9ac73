"""The Starlette application: routes only; the runtime is built and started by the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bulkops.app.files import download_handler, upload_post_handler, upload_put_handler
from bulkops.app.graphql_endpoint import graphql_handler
from bulkops.engine.runtime import Runtime
from bulkops.storage.local import DOWNLOAD_PREFIX, UPLOAD_PATH


def health_handler(runtime: Runtime) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def health(_: Request) -> JSONResponse:
        """Up; ``helpers`` says whether the import helper processes are warm ("ready"), "starting" or "off";
        ``retrying`` (only when there are some) lists the operations waiting out a storage failure, and why."""
        helpers = runtime.helpers
        state = "off" if helpers is None else "ready" if helpers.ready else "starting"
        body: dict[str, object] = {"ok": True, "helpers": state}
        retrying = await run_in_threadpool(runtime.engine.retrying)
        if retrying:
            body["retrying"] = [{"id": op.gid, "status": op.status.value, "retries": op.retries,
                                 "reason": op.retry_reason} for op in retrying]
        return JSONResponse(body)

    return health


def build_app(runtime: Runtime) -> Starlette:
    routes = [
        Route("/admin/api/{version}/graphql.json", graphql_handler(runtime), methods=["GET", "POST"]),
        Route(UPLOAD_PATH, upload_post_handler(runtime), methods=["POST"]),
        Route("/tmp/{rest:path}", upload_put_handler(runtime), methods=["PUT"]),
        Route(DOWNLOAD_PREFIX + "{key:path}", download_handler(runtime), methods=["GET"]),
        Route("/healthz", health_handler(runtime)),
    ]
    return Starlette(routes=routes)
