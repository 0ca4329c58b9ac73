"""A stub shop for the client's tests: a Starlette app answering GraphQL on loopback, in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.testing import free_port


@contextmanager
def stub_shop(graphql: Callable[[Request], Awaitable[Response]]) -> Iterator[str]:
    """``graphql`` serving ``/admin/api/{version}/graphql.json``; yields the base URL."""
    app = Starlette(routes=[Route("/admin/api/{version}/graphql.json", graphql, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
