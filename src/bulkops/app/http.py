"""The Starlette application: routes only; the runtime is built and started by the caller."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from bulkops.app.control import control_routes
from bulkops.app.files import download_handler, upload_post_handler, upload_put_handler
from bulkops.app.graphql_endpoint import graphql_handler
from bulkops.app.health import health_handler, ready_handler
from bulkops.app.metrics import metrics_handler
from bulkops.engine.runtime import Runtime
from bulkops.storage.local import DOWNLOAD_PREFIX, UPLOAD_PATH


def build_app(runtime: Runtime) -> Starlette:
    routes = [
        Route("/admin/api/{version}/graphql.json", graphql_handler(runtime), methods=["GET", "POST"]),
        Route(UPLOAD_PATH, upload_post_handler(runtime), methods=["POST"]),
        Route("/tmp/{rest:path}", upload_put_handler(runtime), methods=["PUT"]),
        Route(DOWNLOAD_PREFIX + "{key:path}", download_handler(runtime), methods=["GET"]),
        Route("/healthz", health_handler(runtime)),
        Route("/readyz", ready_handler(runtime)),
        Route("/metrics", metrics_handler(runtime)),
        *control_routes(runtime),
    ]
    return Starlette(routes=routes)
