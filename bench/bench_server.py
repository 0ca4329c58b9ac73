"""A fresh ``bulkops serve`` for one measurement: its own data dir, a free loopback port, its own shop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bulkops.bootstrap import open_database
from bulkops.client import BulkClient
from bulkops.clock import SystemClock
from bulkops.config import settings_from_env
from bulkops.shop.shops import Shop, create_shop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_status(pid: int, key: str) -> int:
    """A ``kB`` figure from /proc/<pid>/status (VmHWM is the peak resident set), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (robust on a shared machine, unlike wall time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class BenchServer:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 60.0) -> BenchServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "server.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bulkops.cli", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
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

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)

    def new_shop(self, name: str = "bench") -> Shop:
        db = open_database(settings_from_env(data_dir=self.data_dir))
        try:
            with db.write() as conn:
                return create_shop(conn, f"{name}-{time.monotonic_ns() % 10**9}", SystemClock().now())
        finally:
            db.dispose()

    def client(self, shop: Shop) -> BulkClient:
        return BulkClient(self.base_url, shop.access_token, timeout=600.0)

    def peak_rss(self) -> int:
        return proc_status(self.pid, "VmHWM")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
