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
    """``body[name]`` (``default`` when absent or null), or a 422 naming the kind it must be (JSON's true and
    false are not numbers here, though Python's bools are ints)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    value = body.get(name, default)
    if value is not None and (not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds):
        raise BadRequest(f"{name!r} must be {' or '.join(_KINDS.get(k, k.__name__) for k in kinds)}")
    return value


_KINDS: dict[type, str] = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def answering(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, with a :class:`BadRequest` it raises answered as its status and message."""

    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BadRequest as exc:
            return problem(exc.status, str(exc))

    return answered
