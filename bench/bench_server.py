"""A fresh ``bulkops serve`` for one measurement: its own data dir, a free loopback port, its own shop."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from bulkops.client import BulkClient
from bulkops.domain.shops.rules import Shop
from bulkops.testing import ServerProcess, token_of


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


class BenchServer(ServerProcess):
    """The tests' server process, plus what a measurement reads off it: peak memory and CPU time."""

    def new_shop(self, prefix: str = "bench") -> Shop:
        return super().new_shop(prefix)

    def client(self, shop: Shop, version: str = "2026-10") -> BulkClient:
        return BulkClient(self.base_url, token_of(shop), version, timeout=600.0)

    def peak_rss(self) -> int:
        return proc_status(self.pid, "VmHWM")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def wait_until_warm(self, timeout: float = 60.0) -> None:
        """Until the server's import helpers have started (a server in use has been up for a while)."""
        deadline = time.monotonic() + timeout
        while httpx.get(f"{self.base_url}/healthz").json().get("helpers") == "starting":
            if time.monotonic() > deadline:
                raise RuntimeError("the import helpers did not start")
            time.sleep(0.05)

    def helper_cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.helper_pids())

    def helper_peak_rss(self) -> int:
        return sum(proc_status(pid, "VmHWM") for pid in self.helper_pids())
