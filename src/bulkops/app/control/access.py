"""Who may use the control plane: anyone on loopback (a developer's emulator), only holders of the admin token
elsewhere; ``serve`` refuses to expose it on another address without one."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bulkops.app.control.replies import problem
from bulkops.config import ConfigError, Settings

Endpoint = Callable[[Request], Awaitable[Response]]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, host: str) -> None:
    """A control plane reachable from other machines needs a token: anyone who reaches it can wipe the data."""
    if settings.control_plane and not settings.admin_token and not is_loopback(host):
        raise ConfigError(f"the control plane (/__bulkops/) would be open to anyone on {host} without a token",
                          "set BULKOPS_ADMIN_TOKEN, listen on 127.0.0.1, or pass --no-control-plane")


def guarded(routes: list[BaseRoute], token: str | None) -> list[BaseRoute]:
    """Each route behind ``Authorization: Bearer <token>`` (compared in constant time); unchanged without one."""
    if not token:
        return routes
    return [Route(r.path, _requiring(r.endpoint, token), methods=sorted(r.methods or ()))
            if isinstance(r, Route) else r for r in routes]


def _requiring(endpoint: Endpoint, token: str) -> Endpoint:
    expected = f"Bearer {token}".encode()

    async def checked(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return problem(401, "the control plane needs Authorization: Bearer <BULKOPS_ADMIN_TOKEN>")
        return await endpoint(request)

    return checked
