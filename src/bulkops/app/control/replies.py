"""The control plane's JSON in and out: a body that is not a JSON object, or a field of the wrong kind, is a 4xx
with a message saying which."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response


class BadRequest(ValueError):
    """A control-plane request that cannot be done as asked: answered with ``status`` and the message."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def reply(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def problem(status: int, message: str) -> Response:
    return reply({"error": message}, status)


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}``)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("the body is not valid JSON", 400) from exc
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", 400)
    return body


def field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = body.get(name, default)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is int):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise BadRequest(f"{name!r} must be {_KINDS.get(names, names)}")
    return value


_KINDS = {"str": "a string", "int": "an integer", "bool": "true or false", "int or float": "a number"}


def answering(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, with a :class:`BadRequest` it raises answered as its status and message."""

    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BadRequest as exc:
            return problem(exc.status, str(exc))

    return answered
