"""A real ``bulkops serve`` process on loopback, for tests and benchmarks that speak HTTP to it (and may kill
it): a free port, its own data dir, shops made straight in its database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bulkops.app.bootstrap import open_database
from bulkops.client.sdk import BulkClient
from bulkops.config import settings_from_env
from bulkops.domain.shops.rules import Shop, create_shop
from bulkops.workers.helpers import HELPER_MODULE


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


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
    _shops: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        env = {**os.environ, "BULKOPS_WORKERS": "2", **self._helper_env(), **self.env}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "server.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bulkops.cli", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
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
        db = open_database(settings_from_env(data_dir=self.data_dir,
                                             database_url=self.env.get("BULKOPS_DATABASE_URL")))
        try:
            with db.write() as conn:
                return create_shop(conn, f"{prefix}-{os.getpid()}-{self._shops}-{time.monotonic_ns() % 10**6}",
                                   _now())
        finally:
            db.dispose()

    def client(self, shop: Shop, version: str = "2026-10") -> BulkClient:
        return BulkClient(self.base_url, shop.access_token, version)


def _now():  # type: ignore[no-untyped-def]
    from bulkops.clock import SystemClock

    return SystemClock().now()
