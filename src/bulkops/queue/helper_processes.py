"""Helper processes for pure CPU work (no database, no files): a bulk import checks the lines of its next
chunk on another core while the worker writes the current one (SQLite has one writer, so the writer's
process is the bottleneck; work that needs no database is what can leave it).

They start on first use, so a server that never runs a big import never pays for them, and a helper that
dies is replaced on the next submission; callers treat a failed call as "do it here" (the work is pure, so
nothing is lost or done twice).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class HelperProcesses:
    def __init__(self, processes: int, warm: Callable[[], object] | None = None) -> None:
        self.processes = processes
        self.warm = warm
        """Run in each helper when started (imports, schemas), so the first real call finds it ready."""
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._ready = threading.Event()

    @property
    def ready(self) -> bool:
        """A helper has answered (it is warm): waiting for one now costs less than doing its work here."""
        return self._ready.is_set()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a helper (``fn`` and ``args`` must pickle: a module-level function, plain
        values). Raises RuntimeError once stopped."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("helper processes are stopped")
            pool = self._pool
            if pool is None:
                pool = self._pool = self._start()
            try:
                return pool.submit(fn, *args)
            except BrokenProcessPool:
                log.warning("a helper process died; starting another")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                return self._pool.submit(fn, *args)

    def start(self) -> None:
        """Start the helpers now (a server does, so that its first big import finds them warm)."""
        with self._lock:
            if self._pool is None and not self._stopped:
                self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        """Spawned, not forked: the server's threads (event loop, workers, webhook senders) hold locks a
        forked child would inherit held."""
        self._ready.clear()
        pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"))
        for _ in range(self.processes):
            pool.submit(self.warm or _nothing).add_done_callback(self._answered)
        return pool

    def _answered(self, future: Future[Any]) -> None:
        if not future.cancelled() and future.exception() is None:
            self._ready.set()

    def pids(self) -> list[int]:
        """The helpers' process ids (started helpers only)."""
        with self._lock:
            pool = self._pool
            return [] if pool is None else list(getattr(pool, "_processes", None) or {})

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _nothing() -> None:
    """The warm-up of a helper with nothing to warm: its answer says it has started."""
