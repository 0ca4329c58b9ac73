"""A tiny HTTPS proxy (HTTP ``CONNECT`` tunnels) that sends every ``*.myshopify.com`` tunnel to a local server.

Connectors hard-code ``https://{shop}.myshopify.com`` (port 443). Instead of a hosts-file line and a server on
port 443, a test sets ``HTTPS_PROXY`` to this proxy, which clients honour (requests reads it from the
environment): the client still speaks TLS end to end with the shop's domain as SNI, so the server's certificate
is checked against the domain exactly as on a hosts-file setup. Tunnels to other hosts are refused.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from types import TracebackType

SHOP_SUFFIX = ".myshopify.com"


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _read_head(sock: socket.socket) -> bytes:
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return head


class _Tunnel(socketserver.BaseRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        head = _read_head(self.request)
        method, _, rest = head.partition(b" ")
        host = rest.split(b" ", 1)[0].decode(errors="replace").rsplit(":", 1)[0]
        if method != b"CONNECT" or not host.endswith(SHOP_SUFFIX):
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.hosts.append(host)
        upstream = socket.create_connection(("127.0.0.1", self.server.target_port))
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        back = threading.Thread(target=_pipe, args=(upstream, self.request), daemon=True)
        back.start()
        _pipe(self.request, upstream)
        back.join()
        upstream.close()


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.target_port = target_port
        self.hosts: list[str] = []


class ShopProxy:
    """``with ShopProxy(port) as proxy:`` — ``proxy.url`` goes in ``HTTPS_PROXY``; ``proxy.hosts`` lists the shop
    domains clients tunnelled to."""

    def __init__(self, target_port: int) -> None:
        self._server = _ProxyServer(target_port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def hosts(self) -> list[str]:
        return list(self._server.hosts)

    def __enter__(self) -> ShopProxy:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
