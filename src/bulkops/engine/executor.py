"""The seams between the engine and whatever executes an import's lines (built by the GraphQL layer from the
operation's parsed, validated document) and whatever may prepare them in other processes."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection

from bulkops.engine.operations import Operation

T = TypeVar("T")

LineRunner = Callable[[bytes], dict[str, Any]]
"""One raw line through the exact per-line path, in its own savepoint (the importer provides it)."""


class LineExecutor(Protocol):
    def __call__(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        """Run the operation's document once with ``variables``; return the GraphQL response dict.

        Domain writes go through ``conn``; the engine commits them with the line's result.
        """


class ChunkExecutor(Protocol):
    """What the import runner drives: a whole chunk at a time, inside the chunk's transaction."""

    @property
    def look_ahead_depth(self) -> int:
        """How many chunks ahead the runner announces (:meth:`look_ahead`) before running each."""

    def look_ahead(self, lines: list[bytes]) -> None:
        """The lines of a chunk the runner will run later: work that needs no database may start on them now,
        in another process. Nothing is written until :meth:`run_chunk`."""

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        """Answer every line, in order, calling ``run_line`` for any line it does not handle itself, at that
        line's turn (after the rows of the lines before it are written)."""

    def run_one(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        """The per-line path for one decoded line (what ``run_line`` calls, inside the line's savepoint)."""


class LineByLine:
    """A chunk executor that runs every line through one :class:`LineExecutor`."""

    def __init__(self, line: LineExecutor) -> None:
        self.line = line

    @property
    def look_ahead_depth(self) -> int:
        return 1

    def look_ahead(self, lines: list[bytes]) -> None:
        """Nothing to prepare elsewhere."""

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        return [run_line(raw) for raw in lines]

    def run_one(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        return self.line(conn, variables)


class HelperPool(Protocol):
    """Processes for pure CPU work (no database, no files), e.g. checking an import's next chunk."""

    @property
    def ready(self) -> bool:
        """Every helper has answered once (warmed up): waiting for one is quicker than working here."""

    @property
    def processes(self) -> int: ...

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


ExecutorFactory = Callable[[Operation, HelperPool | None], ChunkExecutor]
"""(operation, the helpers it may use or None) -> its chunk executor, built once per run of the operation."""


class RunSlowly(Exception):
    """A fast executor gave up on a line after it may have written: the importer rolls the line's writes
    back and runs it again through ``fallback`` (the exact, slower path)."""

    def __init__(self, fallback: LineExecutor) -> None:
        super().__init__("run this line through the fallback executor")
        self.fallback = fallback
