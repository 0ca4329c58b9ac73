"""The base URL a client reached us by, so every URL we hand out is reachable by that client (spec 7.1)."""

from __future__ import annotations

from starlette.requests import Request


def base_url(request: Request, configured: str | None) -> str:
    if configured:
        return configured.rstrip("/")
    proto = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or request.url.netloc
    return f"{proto}://{host.split(',')[0].strip()}"
