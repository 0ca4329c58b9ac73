"""The seam between the engine and whatever executes a line (built by the GraphQL layer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Connection

from bulkops.bulk.operations import Operation


class LineExecutor(Protocol):
    def __call__(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        """Run the operation's document once with ``variables``; return the GraphQL response dict.

        Domain writes go through ``conn``; the engine commits them with the line's result.
        """


ExecutorFactory = Callable[[Operation], LineExecutor]
