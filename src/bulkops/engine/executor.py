"""The seam between the engine and whatever executes a line (built by the GraphQL layer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Connection

from bulkops.engine.operations import Operation


class LineExecutor(Protocol):
    def __call__(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        """Run the operation's document once with ``variables``; return the GraphQL response dict.

        Domain writes go through ``conn``; the engine commits them with the line's result.
        """


ExecutorFactory = Callable[[Operation], LineExecutor]


class RunSlowly(Exception):
    """A fast executor gave up on a line after it may have written: the importer rolls the line's writes
    back and runs it again through ``fallback`` (the exact, slower path)."""

    def __init__(self, fallback: LineExecutor) -> None:
        super().__init__("run this line through the fallback executor")
        self.fallback = fallback


class ChunkExecutor(Protocol):
    """An executor that may also take a whole chunk: ``run_chunk`` answers every line, in order, inside the
    chunk's transaction, calling ``run_line`` (the per-line path, one savepoint per line) for any line it
    does not handle itself, at that line's turn."""

    def __call__(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]: ...

    def run_chunk(self, conn: Connection, lines: list[bytes],
                  run_line: Callable[[bytes], dict[str, Any]]) -> list[dict[str, Any]]: ...

    def look_ahead(self, lines: list[bytes]) -> None:
        """Optional: the lines of the chunk the engine will run after the current one (work that needs no
        database may start on them now, in another process). Nothing is written until ``run_chunk``."""
