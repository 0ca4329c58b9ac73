"""Bulk line executors built on a compiled plan, with graphql-core as the exact fallback."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection

from bulkops.domain.products.batch import Pending, PreparedProduct, ProductCreateBatch, prepare_product
from bulkops.engine.executor import LineByLine, LineExecutor, RunSlowly
from bulkops.graphql.bindings.products import (
    metafield_spec,
    new_product,
    product_presenter,
    shop_field,
    split_product_presenter,
)
from bulkops.graphql.context import RequestContext
from bulkops.graphql.planner.mutation_plan import Deoptimize, Plan

log = logging.getLogger(__name__)

ContextFactory = Callable[[Connection], RequestContext]


class PlanExecutor(LineByLine):
    """One line through the plan: variables checked without copying, the real resolver, the payload shaped.
    A line the plan cannot vouch for runs through ``slow`` (before any write, directly; after, via
    :class:`RunSlowly`, so the importer first rolls the line back)."""

    def __init__(self, plan: Plan, make_context: ContextFactory, slow: LineExecutor) -> None:
        super().__init__(self)
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


_BATCHABLE_INPUT = frozenset({"title", "handle", "descriptionHtml", "vendor", "productType", "status", "tags",
                              "templateSuffix", "seo", "giftCard", "requiresSellingPlan", "productOptions",
                              "metafields"})


HELPER_PATIENCE_S = 60.0
"""A helper answers a chunk in a fraction of a second; one that takes this long is given up on, so an import
never waits forever on another process."""


class Elsewhere(Protocol):
    """Runs :func:`prepare_lines` for a chunk in another process (the plan is rebuilt there from the document)."""

    @property
    def ready(self) -> bool:
        """It has answered before: waiting for it is quicker than checking here."""

    @property
    def processes(self) -> int:
        """How many chunks it can work on at once."""

    def submit(self, lines: list[bytes]) -> Future[list[PreparedProduct | None]]: ...


class ProductCreateChunks(PlanExecutor):
    """productCreate a chunk at a time: lines the batch can vouch for become rows written with one
    executemany per table (no savepoint, no per-line statements); any other line runs the ordinary way at
    its turn, after the rows before it are written.

    With ``elsewhere``, the checks that need no database run in a helper process for the chunk the engine
    will run next (:meth:`look_ahead`) while this process writes the current one."""

    def __init__(self, plan: Plan, make_context: ContextFactory, slow: LineExecutor,
                 elsewhere: Elsewhere | None = None) -> None:
        super().__init__(plan, make_context, slow)
        self.present = product_presenter(plan.selected_names("product"))
        split = split_product_presenter(plan.selected_names("product"))
        self.present_ids = split[1] if split else None
        self.elsewhere = elsewhere
        self._ahead: deque[tuple[list[bytes], Future[list[PreparedProduct | None]]]] = deque()
        self.chunks_checked_elsewhere = 0
        self.chunks_checked_here = 0
        self._handle_hints: dict[str, int] = {}

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[PreparedProduct | None]:
        """The checks that need no database, for a chunk (pure: may run in a helper process)."""
        return prepare_lines(plan, lines)

    @staticmethod
    def fits(plan: Plan) -> bool:
        return (plan.root_field_name == "productCreate" and plan.pure_payload and not plan.constant_args
                and {a.name for a in plan.variable_args} <= {"product", "input"})

    @property
    def look_ahead_depth(self) -> int:
        """How many chunks ahead the engine should announce (one per helper keeps every helper busy)."""
        return self.elsewhere.processes if self.elsewhere is not None else 1

    def look_ahead(self, lines: list[bytes]) -> None:
        """The engine will run these lines next: start checking them elsewhere, if there is an elsewhere."""
        if self.elsewhere is None:
            return
        try:
            self._ahead.append((lines, self.elsewhere.submit(lines)))
        except Exception:
            log.warning("could not hand a chunk to a helper process; checking lines here", exc_info=True)
            self.elsewhere = None

    def run_chunk(self, conn: Connection, lines: list[bytes],
                  run_line: Callable[[bytes], dict[str, Any]]) -> list[dict[str, Any]]:
        if not ProductCreateBatch.supported(conn):
            return [run_line(raw) for raw in lines]
        context = self.make_context(conn)
        batch = ProductCreateBatch(conn, context.shop.id, self._handle_hints)
        database = conn.dialect.name
        # helper processes prepare SQLite's parameters (they run beside SQLite's single writer only)
        prepared = self._prepared(lines) if database == "sqlite" else prepare_lines(self.plan, lines, database)
        # the chunk's products are committed together: they share its creation time
        return batch.run(prepared, context.now, lambda pending: self._response(context, pending),
                         lambda index: run_line(lines[index]))

    def _prepared(self, lines: list[bytes]) -> list[PreparedProduct | None]:
        """The helper's answer for these lines when it has one (waiting for it once the helper is warm; while
        it is still starting, checking here is quicker); otherwise checked here."""
        while self._ahead:
            wanted, future = self._ahead.popleft()
            if wanted != lines:
                future.cancel()
                continue
            if future.done() or (self.elsewhere is not None and self.elsewhere.ready):
                try:
                    result = future.result(timeout=HELPER_PATIENCE_S)
                except TimeoutError:
                    log.warning("a helper process has not answered in %ss; this import checks its lines here "
                                "from now on", HELPER_PATIENCE_S)
                    self.elsewhere = None
                    break
                except Exception:
                    log.warning("a helper process failed on a chunk; checking its lines here", exc_info=True)
                    break
                if len(result) == len(lines):
                    self.chunks_checked_elsewhere += 1
                    return result
            future.cancel()
            break
        self.chunks_checked_here += 1
        return prepare_lines(self.plan, lines)

    def _response(self, context: RequestContext, pending: Pending) -> dict[str, Any] | None:
        """The line's response for a product the batch will write (None: the plan cannot shape it)."""
        if pending.row is not None:
            product = self.present(pending.row)
        else:
            assert self.present_ids is not None and pending.prepared.presented is not None
            product = {**pending.prepared.presented, **self.present_ids(pending)}
        payload = {"product": product, "userErrors": [], "shop": shop_field}
        try:
            return self.plan.shape(payload, context)
        except Deoptimize:
            return None


def prepare_lines(plan: Plan, lines: list[bytes], database: str = "sqlite") -> list[PreparedProduct | None]:
    """Each productCreate line checked as far as it can be without the database (pure: any process), with
    the payload's product fields that need no id nor handle presented when the selection allows; its rows
    are parameters for ``database``'s driver."""
    prepared = [_prepare_line(plan, raw, database) for raw in lines]
    split = split_product_presenter(plan.selected_names("product"))
    if split is None:
        return prepared
    without_ids = split[0]
    return [p if p is None else p._replace(row=None, presented=without_ids(SimpleNamespace(**p.row or {})))
            for p in prepared]


def _prepare_line(plan: Plan, raw: bytes, database: str) -> PreparedProduct | None:
    variables = _decode(raw)
    if variables is None:
        return None
    args = plan.arguments(variables)
    if args is None or (args.get("product") is not None and args.get("input") is not None):
        return None
    data = args.get("product") if args.get("product") is not None else args.get("input")
    if data is None or not data.keys() <= _BATCHABLE_INPUT:
        return None
    raw_metafields = data.get("metafields") or []
    if any(m.get("id") for m in raw_metafields):
        return None
    return prepare_product(new_product(data, [metafield_spec(m) for m in raw_metafields]), database)


def _decode(raw: bytes) -> dict[str, Any] | None:
    try:
        variables = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return variables if type(variables) is dict else None
