"""Celery workers on Redis: the scale-out queue. ``bulkops serve`` only submits; ``bulkops worker`` processes run
the operations, the upkeep and the webhook deliveries.

Takeover does not rely on the broker. Messages are acked late, but a SIGKILLed worker's message only comes back
after Redis's visibility timeout (an hour), so the database decides: a running operation's heartbeat is beaten at
every chunk commit, the upkeep of every worker resubmits operations whose heartbeat went stale, and whichever
worker gets one claims it with one guarded UPDATE and resumes at its first unrecorded chunk. Running the upkeep in
several workers at once is harmless: claims, expiry and chunk commits are all guarded in SQL. A Redis marker per
queued operation keeps the upkeep from piling copies of an operation still waiting in the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

import redis
from celery import Celery

from bulkops.config import Settings
from bulkops.engine.engine import BulkEngine
from bulkops.engine.heartbeats import Heartbeat
from bulkops.engine.runtime import Runtime

log = logging.getLogger(__name__)

RUN_OPERATION = "bulkops.run_operation"
HELP_OPERATION = "bulkops.help_operation"
"""An idle worker's share of an import another worker holds (PostgreSQL: engine/shared_chunks.py)."""


def celery_app(settings: Settings) -> Celery:
    """The deployment's Celery app. Every Redis key it uses starts with the queue name, so deployments (or test
    runs) sharing one Redis never see each other's messages."""
    assert settings.queue_url
    name = settings.queue_name
    app = Celery("bulkops", broker=settings.queue_url, set_as_current=False)
    app.conf.update(
        task_default_queue=name,
        task_default_exchange=name,
        task_default_routing_key=name,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
        worker_send_task_events=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"global_keyprefix": f"{name}:"},
    )
    return app


class CeleryQueue:
    """The WorkQueue when ``BULKOPS_QUEUE_URL`` is set: ``submit`` sends a task; nothing runs in this process."""

    def __init__(self, engine: BulkEngine, settings: Settings) -> None:
        assert settings.queue_url
        self.engine = engine
        self.settings = settings
        self.app = celery_app(settings)
        self._redis = redis.Redis.from_url(settings.queue_url)
        self._marker_ttl_s = max(30, int(2 * settings.heartbeat_stale_s))
        """How long a submitted operation counts as queued: past it (a message lost with the broker), the
        upkeep's next resubmission goes through."""

    def _marker(self, operation_id: int) -> str:
        return f"{self.settings.queue_name}:bulkops:queued:{operation_id}"

    def submit(self, operation_id: int) -> None:
        self._send(operation_id)

    def resubmit(self, operation_id: int) -> None:
        """The upkeep's retry of an operation no live worker holds (its heartbeat went stale, or no worker
        took it up in as long): logged when a task is sent again."""
        if self._send(operation_id):
            log.warning("bulk operation %s had no live worker: queued again", operation_id)

    def _send(self, operation_id: int) -> bool:
        """Send a task unless one is already waiting; whether one was sent. Never raises: an operation that
        could not be sent stays in the database and the upkeep resubmits it."""
        try:
            if self._redis.set(self._marker(operation_id), 1, nx=True, ex=self._marker_ttl_s):
                self.app.send_task(RUN_OPERATION, args=[operation_id])
                return True
        except Exception:
            log.exception("could not queue bulk operation %s; the upkeep will resubmit it", operation_id)
            self._forget(operation_id)
        return False

    def ask_for_helpers(self, operation_id: int, count: int) -> None:
        """``count`` helper tasks for an import just claimed: whichever workers are idle take its chunks too
        (a helper that arrives once the import is done returns at once)."""
        for _ in range(count):
            self.app.send_task(HELP_OPERATION, args=[operation_id])

    def taken(self, operation_id: int) -> None:
        """A worker took the task: the marker now lasts only until the claim's heartbeat could go stale, so
        the upkeep does not resubmit while the claim commits, yet a worker dying right here delays nothing."""
        try:
            self._redis.set(self._marker(operation_id), 1, px=max(1, int(self.settings.heartbeat_stale_s * 1000)))
        except redis.RedisError:
            log.exception("could not refresh the queued marker of bulk operation %s", operation_id)

    def _forget(self, operation_id: int) -> None:
        try:
            self._redis.delete(self._marker(operation_id))
        except redis.RedisError:
            log.exception("could not clear the queued marker of bulk operation %s", operation_id)

    def ping(self) -> None:
        """Raise unless the broker answers (``/readyz``)."""
        self._redis.ping()

    def depth(self) -> int:
        """Messages waiting in the broker's queue (``/metrics``)."""
        return int(self._redis.llen(f"{self.settings.queue_name}:{self.settings.queue_name}"))

    def start(self) -> None:
        """Nothing to start here: operations run in ``bulkops worker`` processes."""

    def stop(self) -> None:
        self._redis.close()


class CeleryWorker:
    """One ``bulkops worker`` process: Celery threads running operations, an upkeep thread, webhook senders."""

    def __init__(self, runtime: Runtime, concurrency: int = 2, upkeep_interval_s: float = 1.0) -> None:
        if not isinstance(runtime.queue, CeleryQueue):
            raise ValueError("bulkops worker needs BULKOPS_QUEUE_URL (a Redis URL)")
        self.runtime = runtime
        self.queue = runtime.queue
        self.concurrency = max(1, concurrency)
        self.upkeep_interval_s = upkeep_interval_s
        self.name = f"celery-{socket.gethostname()}-{os.getpid()}"
        self._stopping = threading.Event()
        self.heartbeat = Heartbeat(runtime.db, runtime.clock, self.name, "celery", upkeep_interval_s)
        self.queue.app.task(name=RUN_OPERATION)(self._task())
        self.queue.app.task(name=HELP_OPERATION)(self._helper_task())
        runtime.engine.ask_for_helpers = self.queue.ask_for_helpers

    def _task(self) -> Callable[[int], None]:
        queue, engine, name = self.queue, self.runtime.engine, self.name

        def run_operation(operation_id: int) -> None:
            """Run or resume one operation. Each run claims under its own id, so two copies of a task landing
            on two threads of this process cannot both hold the operation."""
            queue.taken(operation_id)
            engine.run(operation_id, f"{name}-{uuid.uuid4().hex[:8]}")

        return run_operation

    def _helper_task(self) -> Callable[[int], None]:
        engine, name = self.runtime.engine, self.name

        def help_operation(operation_id: int) -> None:
            engine.help(operation_id, f"{name}-{uuid.uuid4().hex[:8]}")

        return help_operation

    def _upkeep(self) -> None:
        engine = self.runtime.engine
        while not self._stopping.wait(self.upkeep_interval_s):
            try:
                self.heartbeat.beat()
                engine.expire_due()
                for operation_id in engine.stale_operations():
                    self.queue.resubmit(operation_id)
            except Exception:
                log.exception("upkeep failed")

    def run(self) -> int:
        """Work until told to stop (SIGTERM lets running operations finish; SIGQUIT stops at once and they
        resume elsewhere). Returns the process exit code."""
        self.runtime.start()
        self.heartbeat.beat()
        upkeep = threading.Thread(target=self._upkeep, name="bulkops-upkeep", daemon=True)
        upkeep.start()
        worker = self.queue.app.Worker(
            pool="threads", concurrency=self.concurrency, hostname=f"{self.name}@{socket.gethostname()}",
            queues=[self.queue.settings.queue_name], without_mingle=True, without_gossip=True,
            without_heartbeat=True, loglevel="INFO", quiet=True,
        )
        try:
            worker.start()
        finally:
            self._stopping.set()
            upkeep.join(timeout=5)
            self.heartbeat.forget()
            self.runtime.stop()
        return worker.exitcode or 0
