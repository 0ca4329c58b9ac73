"""The emulator's control plane: JSON over HTTP under ``/__bulkops/``, invisible to Shopify clients. Each topic is
a module with ``routes(runtime)``; this package only joins them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bulkops.app.control import faults, progression
from bulkops.engine.runtime import Runtime

_MODULES = (progression, faults)


def control_routes(runtime: Runtime) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for module in _MODULES:
        routes += module.routes(runtime)
    return routes
