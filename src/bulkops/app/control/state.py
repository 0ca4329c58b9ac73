"""``GET /__bulkops/state`` (the deployment as a ``.tar.gz``) and ``POST /__bulkops/state`` (replace it with an
archive's): ``engine/state.py`` holds the format and the rules."""

from __future__ import annotations

from dataclasses import asdict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, reply
from bulkops.app.control.reset import after_reset
from bulkops.engine import state
from bulkops.engine.runtime import Runtime

ARCHIVE_TYPE = "application/gzip"


def routes(runtime: Runtime) -> list[Route]:
    def restored(data: bytes) -> dict[str, object]:
        try:
            done = state.restore(runtime.engine, data)
        except state.StateError as exc:
            raise BadRequest(str(exc)) from exc
        after_reset(runtime)
        return asdict(done)

    @answering
    async def state_endpoint(request: Request) -> Response:
        if request.method == "GET":
            archive = await run_in_threadpool(state.dump, runtime.engine)
            return Response(archive, media_type=ARCHIVE_TYPE,
                            headers={"Content-Disposition": 'attachment; filename="bulkops-state.tar.gz"'})
        return reply(await run_in_threadpool(restored, await request.body()))

    return [Route("/__bulkops/state", state_endpoint, methods=["GET", "POST"])]
