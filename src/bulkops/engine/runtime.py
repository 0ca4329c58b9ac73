"""Everything a running server holds: settings, database, file store, clock, engine and queue."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from bulkops.clock import Clock
from bulkops.config import Settings
from bulkops.db.database import Database
from bulkops.engine.engine import BulkEngine
from bulkops.engine.executor import HelperPool
from bulkops.engine.exporter import KeptPlans
from bulkops.engine.queue import WorkQueue
from bulkops.storage.base import FileStore
from bulkops.storage.signing import Signer


class Background(Protocol):
    """Work that runs beside the requests (webhook senders)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: FileStore
    signer: Signer
    clock: Clock
    engine: BulkEngine
    queue: WorkQueue
    deliverer: Background | None = None
    """Sends webhook deliveries; started and stopped beside the queue."""
    helpers: HelperPool | None = None
    """Processes for CPU work that needs no database (they start on first use)."""
    kept_plans: KeptPlans[Any] = field(default_factory=KeptPlans)
    """Export plans compiled at creation, for this runtime's workers (graphql/planner/export_plan.py)."""

    closing: threading.Event = field(default_factory=threading.Event)
    """Set when the server begins to shut down: long answers (event streams) end instead of holding it up."""

    def start(self) -> None:
        """Start the background work: bulk workers, then webhook senders."""
        self.queue.start()
        if self.deliverer:
            self.deliverer.start()
        if self.helpers:
            self.helpers.start()

    def stop(self) -> None:
        self.closing.set()
        self.queue.stop()
        if self.deliverer:
            self.deliverer.stop()
        if self.helpers:
            self.helpers.stop()
