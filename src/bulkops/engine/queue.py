"""The work-queue seam: the engine's operations are handed to workers through this."""

from __future__ import annotations

from typing import Protocol


class WorkQueue(Protocol):
    def submit(self, operation_id: int) -> None:
        """Have a worker run (or resume) this operation; submitting an operation twice is harmless."""

    def start(self) -> None: ...

    def stop(self) -> None: ...
