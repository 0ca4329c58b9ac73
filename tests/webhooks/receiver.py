"""A real HTTP receiver on loopback for webhook tests: records every request and answers from a script."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG = "hang"
"""A scripted answer: hold the request open (well past the server's webhook timeout), then answer 200."""


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Receiver:
    """Answers the n-th request with ``script[n]`` (a status code or ``HANG``), then ``otherwise`` for the rest."""

    script: list[int | str] = field(default_factory=list)
    hang_s: float = 4.0
    otherwise: int = 200
    received: list[Received] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/bulk-finish"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._cond:
                    index = len(receiver.received)
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    receiver._cond.notify_all()
                answer = receiver.script[index] if index < len(receiver.script) else receiver.otherwise
                if answer == HANG:
                    time.sleep(receiver.hang_s)
                    answer = 200
                self.send_response(int(answer))
                self.send_header("Content-Length", "2")
                self.end_headers()
                try:
                    self.wfile.write(b"ok")
                except OSError:
                    pass

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        """The first ``count`` requests, once they have arrived (fails the test if they never do)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"expected {count} webhook requests, got {len(self.received)}")
            return list(self.received[:count])


@contextmanager
def receiving(*script: int | str, hang_s: float = 4.0, otherwise: int = 200) -> Iterator[Receiver]:
    receiver = Receiver(list(script), hang_s, otherwise=otherwise).start()
    try:
        yield receiver
    finally:
        receiver.stop()
