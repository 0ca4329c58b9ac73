"""What the control plane's topics share: JSON answers and bodies, and a refusal as an HTTP 400 with a message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]


def answer(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def refuse(message: str, status: int = 400) -> Response:
    return answer({"error": message}, status)


async def json_body(request: Request) -> Any | Response:
    """The request's JSON body, or the 400 answer saying it is not JSON."""
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return refuse("the body is not valid JSON")


def rule_list(body: Any, key: str) -> list[Any] | None:
    """The rules of a PUT body: ``{"<key>": [...]}``, a bare list, or one rule object."""
    if isinstance(body, dict) and key in body:
        body = body[key]
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return [body]
    return None
