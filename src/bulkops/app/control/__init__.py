"""The control plane (``/__bulkops/``): what a test suite needs of an emulator (reset, seed, a virtual clock,
the request log...), JSON over HTTP beside the Shopify endpoints, which it never changes. Each topic is one
module with ``routes(runtime)``; all of them sit behind the admin token when one is set (``access.py``)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bulkops.app.control import clock, faults, health, progression, requests, reset, seed, state, webhooks
from bulkops.app.control.access import guarded
from bulkops.engine.runtime import Runtime

_MODULES = (health, reset, seed, clock, requests, webhooks, state, progression, faults)


def control_routes(runtime: Runtime) -> list[BaseRoute]:
    routes: list[BaseRoute] = [route for module in _MODULES for route in module.routes(runtime)]
    return guarded(routes, runtime.settings.admin_token)
