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
