"""In-process workers: the embedded default. Threads run operations; a keeper thread resumes stalled
ones and expires old results."""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable

from bulkops.engine.engine import BulkEngine
from bulkops.engine.heartbeats import Heartbeat

log = logging.getLogger(__name__)


class InProcessQueue:
    def __init__(self, engine: BulkEngine, workers: int = 2, upkeep_interval_s: float = 1.0) -> None:
        self.engine = engine
        self.workers = max(0, workers)
        self.upkeep_interval_s = upkeep_interval_s
        self.worker_id = f"inprocess-{uuid.uuid4().hex[:12]}"
        self.heartbeat = Heartbeat(engine.db, engine.clock, self.worker_id, "inprocess", upkeep_interval_s)
        self._pending: queue.Queue[int | None] = queue.Queue()
        self._queued: set[int] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def submit(self, operation_id: int) -> None:
        self._enqueue(operation_id)

    def _enqueue(self, operation_id: int) -> bool:
        """Queue the operation unless it is queued or running here already; whether it was queued."""
        with self._lock:
            if operation_id in self._queued:
                return False
            self._queued.add(operation_id)
        self._pending.put(operation_id)
        return True

    def start(self) -> None:
        """Resume unfinished operations and start the workers (none with ``workers=0``: operations then wait
        in CREATED, which a deployment with external workers or a test of the concurrency limit wants)."""
        for operation_id in self.engine.take_over_all():
            self.submit(operation_id)
        self._beat()
        for n in range(self.workers):
            self._spawn(self._work, f"bulkops-worker-{n}")
        self._spawn(self._upkeep, "bulkops-upkeep")

    def _spawn(self, target: Callable[[], object], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _work(self) -> None:
        while not self._stopping.is_set():
            operation_id = self._pending.get()
            if operation_id is None:
                return
            if self.engine.emulating():
                self._run_aside(operation_id)
            else:
                self._run(operation_id)

    def _run(self, operation_id: int) -> None:
        try:
            self.engine.run(operation_id, self.worker_id)
        except Exception:
            log.exception("worker crashed on operation %s", operation_id)
        finally:
            with self._lock:
                self._queued.discard(operation_id)

    def _run_aside(self, operation_id: int) -> None:
        """While the control plane's rules are set, an operation may be held (manual, STUCK...) for as long as a
        test likes: it runs on a thread of its own, so held operations never starve the workers (at Shopify
        they all run side by side)."""
        threading.Thread(target=self._run, args=(operation_id,), name=f"bulkops-emulated-{operation_id}",
                         daemon=True).start()

    def _beat(self) -> None:
        """Tell ``/readyz`` this process runs operations (with no worker threads it runs none)."""
        if self.workers:
            self.heartbeat.beat()

    def _upkeep(self) -> None:
        while not self._stopping.wait(self.upkeep_interval_s):
            try:
                self._beat()
                self.engine.expire_due()
                for operation_id in self.engine.stale_operations():
                    if self._enqueue(operation_id):
                        log.warning("bulk operation %s had no live worker: queued again", operation_id)
            except Exception:
                log.exception("upkeep failed")

    def stop(self) -> None:
        self._stopping.set()
        for _ in range(self.workers):
            self._pending.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        if self.workers:
            self.heartbeat.forget()
