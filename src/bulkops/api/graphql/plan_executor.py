"""Bulk line executors built on a compiled plan, with graphql-core as the exact fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from bulkops.api.graphql.compiled import Deoptimize, Plan
from bulkops.api.graphql.context import RequestContext
from bulkops.bulk.executor import LineExecutor, RunSlowly

ContextFactory = Callable[[Connection], RequestContext]


class PlanExecutor:
    """One line through the plan: variables checked without copying, the real resolver, the payload shaped.
    A line the plan cannot vouch for runs through ``slow`` (before any write, directly; after, via
    :class:`RunSlowly`, so the importer first rolls the line back)."""

    def __init__(self, plan: Plan, make_context: ContextFactory, slow: LineExecutor) -> None:
        self.plan = plan
        self.make_context = make_context
        self.slow = slow

    def __call__(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        args = self.plan.arguments(variables)
        if args is None:
            return self.slow(conn, variables)
        context = self.make_context(conn)
        try:
            return self.plan.shape(self.plan.resolve(context, args), context)
        except Deoptimize as exc:
            raise RunSlowly(self.slow) from exc
