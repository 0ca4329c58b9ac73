"""The Starlette application: routes only; the runtime is built and started by the caller."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from bulkops.app.control import control_routes, requests
from bulkops.app.files import download_handler, upload_post_handler, upload_put_handler
from bulkops.app.graphql_endpoint import graphql_handler
from bulkops.app.health import health_handler, ready_handler
from bulkops.app.metrics import metrics_handler
from bulkops.app.progress import routes as progress_routes
from bulkops.app.rest import rest_routes
from bulkops.engine.runtime import Runtime
from bulkops.storage.local import DOWNLOAD_PREFIX, UPLOAD_PATH


def build_app(runtime: Runtime) -> Starlette:
    """The Shopify endpoints and file routes, the probes, and the control plane (``/__bulkops/``) unless it is
    off: the Shopify answers are the same either way."""
    request_log = requests.recorder(runtime) if runtime.settings.control_plane else None
    routes: list[BaseRoute] = [
        Route("/admin/api/{version}/graphql.json", graphql_handler(runtime, request_log), methods=["GET", "POST"]),
        Route(UPLOAD_PATH, upload_post_handler(runtime), methods=["POST"]),
        Route("/tmp/{rest:path}", upload_put_handler(runtime), methods=["PUT"]),
        Route(DOWNLOAD_PREFIX + "{key:path}", download_handler(runtime), methods=["GET"]),
        Route("/healthz", health_handler(runtime)),
        Route("/readyz", ready_handler(runtime)),
        Route("/metrics", metrics_handler(runtime)),
        *rest_routes(runtime),
        *progress_routes(runtime),
    ]
    if runtime.settings.control_plane:
        routes += control_routes(runtime)
    return Starlette(routes=routes)
