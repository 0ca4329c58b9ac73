"""What a batched writer whose lines are cheap to translate shares: it prepares every line in the writer's own
process (no helper look-ahead) and runs a lone line (a retry, a line the batch will not vouch for) through the
ordinary per-line executor. ``productCreate``'s writer, whose preparation runs in helper processes, does not
use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection

from bulkops.engine.executor import LineExecutor
from bulkops.graphql.context import RequestContext
from bulkops.graphql.planner.mutation_plan import Plan


class PreparedHere:
    def __init__(self, plan: Plan, make_context: Callable[[Connection], RequestContext], slow: LineExecutor,
                 elsewhere: Any = None) -> None:
        self.plan = plan
        self.make_context = make_context
        self.slow = slow

    @property
    def look_ahead_depth(self) -> int:
        return 1

    def look_ahead(self, lines: list[bytes]) -> None:
        """Translating a line is cheap: nothing is prepared in other processes."""

    def run_one(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        return self.slow(conn, variables)


def decode_variables(raw: bytes) -> dict[str, Any] | None:
    """A line's variables, or None when they are not a JSON object (the ordinary path words the error)."""
    try:
        variables = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return variables if type(variables) is dict else None
