"""The base URL a client reached us by, so every URL we hand out is reachable by that client (spec 7.1)."""

from __future__ import annotations

from starlette.requests import Request


def base_url(request: Request, configured: str | None, proxy_headers: bool = False) -> str:
    """The configured public URL, else the request's own scheme and host. ``X-Forwarded-Host`` counts only with
    ``proxy_headers`` (``--proxy-headers``): otherwise any client could have the URLs we hand out point at a host
    of its choosing. The scheme comes from uvicorn, which reads ``X-Forwarded-Proto`` from trusted proxies only."""
    if configured:
        return configured.rstrip("/")
    forwarded = request.headers.get("x-forwarded-host") if proxy_headers else None
    host = forwarded or request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host.split(',')[0].strip()}"
