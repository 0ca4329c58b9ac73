"""A real ``bulkops serve`` process on loopback, for tests and benchmarks that speak HTTP to it (and may kill
it): a free port, its own data dir, shops made straight in its database. ``InProcessServer`` serves the same
app on loopback from inside the test process, on a clock the test moves (expiry without waiting)."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import uvicorn

from bulkops.app.bootstrap import build_runtime, open_database
from bulkops.app.deployment import secret_box
from bulkops.app.http import build_app
from bulkops.app.serving import ClosingServer
from bulkops.app.tls import tls_files
from bulkops.client.control import ControlPlane as ControlPlane
from bulkops.client.sdk import BulkClient
from bulkops.clock import Clock, FrozenClock, SystemClock
from bulkops.config import Settings, SettingsOverrides, settings_from_env
from bulkops.domain.shops.rules import Shop, create_shop
from bulkops.engine.runtime import Runtime
from bulkops.workers.helpers import HELPER_MODULE

POLL_INTERVAL_S = 0.02
"""How often the clients of a test server poll a running operation: it is on loopback, and a test waits for it."""

__all__ = ["ControlPlane", "InProcessServer", "ServerProcess", "free_port", "token_of"]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def token_of(shop: Shop) -> str:
    """The shop's access token, known in clear only on the shop as it was made (the database keeps a digest)."""
    if shop.access_token is None:
        raise ValueError(f"{shop.domain}'s token is not known here: use the shop new_shop() returned")
    return shop.access_token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    helper_processes: int | None = None
    """Import helper processes to start (None: the server's own default). Each costs a second of CPU to start
    and seconds to stop, so tests that are not about helpers ask for 0."""
    tls: bool = False
    """``serve --tls``: HTTPS, its certificate issued by the CA the server keeps in its data dir (``ca_file``)."""
    args: list[str] = field(default_factory=list)
    """More ``serve`` arguments (``--import FILE``...)."""
    _shops: int = 0

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        """The local CA a ``tls`` server's certificate chains to (made on its first start, reused after)."""
        return tls_files(self.data_dir).ca_cert

    def start(self, timeout: float = 60.0) -> ServerProcess:
        env = {**os.environ, "BULKOPS_WORKERS": "2", **self._helper_env(), **self.env}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "server.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bulkops.cli", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir),
             *(["--tls"] if self.tls else []), *self.args],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()[-3000:]}")
            try:
                verify = ssl.create_default_context(cafile=self.ca_file) if self.tls and self.ca_file.exists() else True
                if httpx.get(f"{self.base_url}/healthz", timeout=1, verify=verify).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def _helper_env(self) -> dict[str, str]:
        if self.helper_processes is None:
            return {}
        return {"BULKOPS_HELPER_PROCESSES": str(self.helper_processes)}

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def helper_pids(self) -> list[int]:
        """The server's import helper processes (its children running the helper loop)."""
        children: list[int] = []
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
        return [pid for pid in children if HELPER_MODULE.encode() in _cmdline(pid)]

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def new_shop(self, prefix: str = "shop") -> Shop:
        self._shops += 1
        settings = settings_from_env(data_dir=self.data_dir, database_url=self.env.get("BULKOPS_DATABASE_URL"),
                                     secret_key=self.env.get("BULKOPS_SECRET_KEY"))
        box = secret_box(settings)
        db = open_database(settings, box)
        try:
            with db.write() as conn:
                return create_shop(conn, f"{prefix}-{os.getpid()}-{self._shops}-{time.monotonic_ns() % 10**6}",
                                   _now(), box)
        finally:
            db.dispose()

    def client(self, shop: Shop, version: str = "2026-10") -> BulkClient:
        return BulkClient(self.base_url, token_of(shop), version, poll_interval=POLL_INTERVAL_S)

    def control(self) -> ControlPlane:
        """The server's control plane (``/__bulkops/``), with the admin token its environment gives it."""
        return ControlPlane(self.base_url, self.env.get("BULKOPS_ADMIN_TOKEN"))


def _now() -> datetime:
    return SystemClock().now()


class InProcessServer:
    """The server's app under uvicorn on loopback, in a thread of this process: tests speak real HTTP to it
    without paying a process start (imports, both schemas). On a ``FrozenClock`` (``frozen``, the default) tests
    move its time with ``advance``: a URL or a policy expires at once, with no sleep."""

    def __init__(self, data_dir: Path, settings: SettingsOverrides | None = None, frozen: bool = True) -> None:
        self.port = free_port()
        self.clock: Clock = FrozenClock(_now().replace(microsecond=0)) if frozen else SystemClock()
        self.settings = Settings(data_dir=data_dir, listen_url=self.base_url, helper_processes=0).with_overrides(
            **(settings or {}))
        self.runtime: Runtime | None = None
        self._server: ClosingServer | None = None
        self._thread: threading.Thread | None = None
        self._shops = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def advance(self, seconds: float) -> None:
        """Move the server's time forward (a frozen server only)."""
        if not isinstance(self.clock, FrozenClock):
            raise TypeError("this server runs on the system clock")
        self.clock.advance(seconds)

    def start(self, timeout: float = 30.0) -> InProcessServer:
        self.runtime = build_runtime(self.settings, clock=self.clock)
        self.runtime.start()
        config = uvicorn.Config(build_app(self.runtime), host="127.0.0.1", port=self.port, log_level="warning",
                                proxy_headers=self.settings.proxy_headers,
                                forwarded_allow_ips=self.settings.forwarded_allow_ips)
        self._server = ClosingServer(config, self.runtime)
        self._thread = threading.Thread(target=self._server.run, name="in-process-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError("the in-process server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.handle_exit(signal.SIGTERM, None)  # as `bulkops serve` on SIGTERM: event streams end
            self._thread.join(10)
        if self.runtime is not None:
            self.runtime.stop()
            self.runtime.db.dispose()
            self.runtime = None

    def __enter__(self) -> InProcessServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def new_shop(self, prefix: str = "shop") -> Shop:
        assert self.runtime is not None, "start the server first"
        self._shops += 1
        with self.runtime.db.write() as conn:
            return create_shop(conn, f"{prefix}-in-process-{self._shops}", self.clock.now(), secret_box(self.settings))

    def client(self, shop: Shop, version: str = "2026-10") -> BulkClient:
        return BulkClient(self.base_url, token_of(shop), version, poll_interval=POLL_INTERVAL_S)

    def control(self) -> ControlPlane:
        """The server's control plane (``/__bulkops/``), with its admin token if it has one."""
        return ControlPlane(self.base_url, self.settings.admin_token)
