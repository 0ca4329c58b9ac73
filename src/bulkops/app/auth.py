"""Which shop a request speaks for: the ``X-Shopify-Access-Token`` (or a Bearer token)."""

from __future__ import annotations

from starlette.requests import Request

from bulkops.db.database import Database
from bulkops.domain.shops.rules import Shop, shop_by_token

INVALID_TOKEN_BODY = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def token_of(request: Request) -> str | None:
    token = request.headers.get("x-shopify-access-token")
    if token:
        return token.strip()
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def authenticate(db: Database, token: str | None) -> Shop | None:
    if not token:
        return None
    with db.read() as conn:
        return shop_by_token(conn, token)


SHOP_HOST_SUFFIX = ".myshopify.com"


def named_shop_domain(request: Request, proxy_headers: bool = False) -> str | None:
    """The shop domain the request's ``Host`` names (``NAME.myshopify.com``, any port), or None; behind a trusted
    proxy (``proxy_headers``) the host the client asked the proxy for (``X-Forwarded-Host``)."""
    forwarded = request.headers.get("x-forwarded-host") if proxy_headers else None
    host = (forwarded or request.headers.get("host") or "").split(",")[0].strip().lower()
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host if host.endswith(SHOP_HOST_SUFFIX) else None


def authenticate_request(db: Database, request: Request, proxy_headers: bool = False) -> Shop | None:
    """The shop the request's token belongs to; None when the token is missing or unknown, or when the ``Host``
    names another shop (a client that reaches ``a.myshopify.com`` with b's token must not read b's data
    believing it is a's)."""
    shop = authenticate(db, token_of(request))
    named = named_shop_domain(request, proxy_headers)
    if shop is None or (named is not None and named != shop.domain):
        return None
    return shop
