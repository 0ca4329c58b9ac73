"""A work queue that runs nothing until told: the WorkQueue port's twin for tests that drive the engine
in-process, one step at a time, on an injected clock."""

from __future__ import annotations

from bulkops.engine.engine import BulkEngine


class InlineQueue:
    def __init__(self, engine: BulkEngine, worker: str = "inline-worker") -> None:
        self.engine = engine
        self.worker = worker
        self.pending: list[int] = []
        self.submitted: list[int] = []
        """Every submit, in order (repeats included)."""
        self.started = False

    def submit(self, operation_id: int) -> None:
        self.submitted.append(operation_id)
        if operation_id not in self.pending:
            self.pending.append(operation_id)

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def run_pending(self, worker: str | None = None) -> list[int]:
        """Run every submitted operation to its end, oldest first, as ``worker``; returns their ids."""
        ran: list[int] = []
        while self.pending:
            operation_id = self.pending.pop(0)
            self.engine.run(operation_id, worker or self.worker)
            ran.append(operation_id)
        return ran

    def reset(self) -> None:
        self.pending.clear()
        self.submitted.clear()
        self.started = False
