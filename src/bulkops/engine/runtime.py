"""Everything a running server holds: settings, database, file store, clock, engine and queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bulkops.clock import Clock
from bulkops.config import Settings
from bulkops.db.database import Database
from bulkops.engine.engine import BulkEngine
from bulkops.engine.queue import WorkQueue
from bulkops.storage.base import FileStore
from bulkops.storage.signing import Signer
from bulkops.workers.helpers import HelperProcesses

if TYPE_CHECKING:
    from bulkops.webhooks.delivery import Deliverer


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: FileStore
    signer: Signer
    clock: Clock
    engine: BulkEngine
    queue: WorkQueue
    deliverer: Deliverer | None = None
    """Sends webhook deliveries; started and stopped beside the queue."""
    helpers: HelperProcesses | None = None
    """Processes for CPU work that needs no database (they start on first use)."""

    def start(self) -> None:
        """Start the background work: bulk workers, then webhook senders."""
        self.queue.start()
        if self.deliverer:
            self.deliverer.start()
        if self.helpers:
            self.helpers.start()

    def stop(self) -> None:
        self.queue.stop()
        if self.deliverer:
            self.deliverer.stop()
        if self.helpers:
            self.helpers.stop()
