"""Bulk line executors built on a compiled plan, with graphql-core as the exact fallback."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import Connection

from bulkops.domain.products.batch import Pending, PreparedProduct, ProductCreateBatch, prepare_product
from bulkops.domain.products.rules import MetafieldSpec, ProductFields, given_handle
from bulkops.domain.products.sets import prepare_set
from bulkops.domain.products.updates import ProductUpdateBatch, ProductUpdateInput, Updated
from bulkops.engine.executor import LineByLine, LineExecutor, LineRunner, RunSlowly
from bulkops.graphql.bindings.products import (
    metafield_spec,
    new_product,
    product_fields,
    product_presenter,
    product_set_input,
    shop_field,
    split_product_presenter,
)
from bulkops.graphql.context import RequestContext
from bulkops.graphql.planner.mutation_plan import Deoptimize, Plan
from bulkops.graphql.planner.writer_base import PreparedHere, decode_variables
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

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
    def prepare(plan: Plan, lines: list[bytes], database: str = "sqlite") -> list[PreparedProduct | None]:
        """The checks that need no database, for a chunk (pure: may run in a helper process)."""
        return prepare_lines(plan, lines, database)

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
        prepared = self._prepared(lines) if database == "sqlite" else self.prepare(self.plan, lines, database)
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
        return self.prepare(self.plan, lines)

    def _response(self, context: RequestContext, pending: Pending) -> dict[str, Any] | None:
        """The line's response for a product the batch will write (None: the plan cannot shape it)."""
        if pending.row is not None:
            product = self.present(pending.row)
        else:
            assert self.present_ids is not None and pending.prepared.presented is not None
            product = {**pending.prepared.presented, **self.present_ids(pending)}
        payload = self._payload(product)
        try:
            return self.plan.shape(payload, context)
        except Deoptimize:
            return None


    @staticmethod
    def _payload(product: dict[str, Any]) -> dict[str, Any]:
        return {"product": product, "userErrors": [], "shop": shop_field}


class ProductSetChunks(ProductCreateChunks):
    """productSet a chunk at a time, through ``domain/products/sets.py`` (which the synchronous mutation uses
    with a batch of one): a line that creates a product the batch can vouch for becomes rows written with the
    chunk's others; any other line (an update, a product its identifier's handle finds, collections, variant
    metafields, metafields by id: see sets.py) runs the ordinary way at its turn."""

    @staticmethod
    def fits(plan: Plan) -> bool:
        return (plan.root_field_name == "productSet" and plan.pure_payload
                and plan.constant_args.keys() <= {"synchronous"}
                and {a.name for a in plan.variable_args} <= {"input", "identifier", "synchronous"})

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes], database: str = "sqlite") -> list[PreparedProduct | None]:
        return prepare_lines(plan, lines, database, _prepare_set_line)

    @staticmethod
    def _payload(product: dict[str, Any]) -> dict[str, Any]:
        return {"product": product, "productSetOperation": None, "userErrors": []}


_UPDATE_BATCHABLE_INPUT = frozenset({"id", "title", "descriptionHtml", "vendor", "productType", "status", "tags",
                                     "templateSuffix", "seo", "giftCard", "requiresSellingPlan"})
"""Per line, the ordinary way: ``handle`` (made unique against the shop's), ``metafields``, ``collectionsToJoin``
and ``collectionsToLeave``, ``category``, ``media``, and a line naming its product by ``identifier``."""


class ProductUpdateChunks(PreparedHere):
    """productUpdate a chunk at a time, through ``domain/products/updates.py`` (which the synchronous mutation
    uses with a batch of one): updates of a product's own fields the batch can vouch for are written with one
    executemany per run of lines setting the same columns; any other line runs the ordinary way at its turn."""

    def __init__(self, plan: Plan, make_context: ContextFactory, slow: LineExecutor,
                 elsewhere: Elsewhere | None = None) -> None:
        super().__init__(plan, make_context, slow)
        self.present = product_presenter(plan.selected_names("product"))

    @staticmethod
    def fits(plan: Plan) -> bool:
        return (plan.root_field_name == "productUpdate" and plan.pure_payload and not plan.constant_args
                and {a.name for a in plan.variable_args} <= {"product", "input"})

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[ProductUpdateInput | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_update_line(plan, raw) for raw in lines]

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        context = self.make_context(conn)
        answers = ProductUpdateBatch(conn, context.shop.id).run(self.prepare(self.plan, lines), context.now,
                                                                lambda index: run_line(lines[index]))
        return [self.plan.shape({"product": self.present(a.row), "userErrors": []}, context)
                if isinstance(a, Updated) else a for a in answers]


def _prepare_update_line(plan: Plan, raw: bytes) -> ProductUpdateInput | None:
    variables = decode_variables(raw)
    args = None if variables is None else plan.arguments(variables)
    if args is None or (args.get("product") is not None and args.get("input") is not None):
        return None
    data = args.get("product") if args.get("product") is not None else args.get("input")
    if data is None or not data.keys() <= _UPDATE_BATCHABLE_INPUT or not isinstance(data.get("id"), str):
        return None
    try:
        kind, number = parse_gid(data["id"])
    except InvalidGlobalId:
        return None
    return ProductUpdateInput(number, product_fields(data)) if kind == "Product" else None


LineTranslator = Callable[[Plan, bytes, str], PreparedProduct | None]


def prepare_lines(plan: Plan, lines: list[bytes], database: str = "sqlite",
                  translate: LineTranslator | None = None) -> list[PreparedProduct | None]:
    """Each line (productCreate's unless ``translate`` says otherwise) checked as far as it can be without the
    database (pure: any process), with the payload's product fields that need no id nor handle presented when
    the selection allows; its rows are parameters for ``database``'s driver."""
    translate = translate or _prepare_line
    prepared = [translate(plan, raw, database) for raw in lines]
    split = split_product_presenter(plan.selected_names("product"))
    if split is None:
        return prepared
    without_ids = split[0]
    return [p if p is None else p._replace(row=None, presented=without_ids(SimpleNamespace(**p.row or {})))
            for p in prepared]


def _prepare_line(plan: Plan, raw: bytes, database: str) -> PreparedProduct | None:
    variables = decode_variables(raw)
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


_SET_BATCHABLE_INPUT = frozenset({"title", "handle", "descriptionHtml", "vendor", "productType", "status", "tags",
                                  "templateSuffix", "seo", "giftCard", "requiresSellingPlan", "productOptions",
                                  "variants", "metafields"})
"""Per line, the ordinary way: ``id`` (an update), ``collections``, ``category``, ``files`` and the rest."""


def _prepare_set_line(plan: Plan, raw: bytes, database: str) -> PreparedProduct | None:
    variables = decode_variables(raw)
    args = None if variables is None else plan.arguments(variables)
    if args is None:
        return None
    data = args.get("input")
    if data is None or not data.keys() <= _SET_BATCHABLE_INPUT:
        return None
    fields = product_fields(data)
    if args.get("identifier") is not None:
        handle = _created_with_handle(args["identifier"], fields)
        if handle is None:
            return None
        fields = replace(fields, handle=handle)
    if any(m.get("id") for m in data.get("metafields") or []):
        return None
    item = product_set_input(data, None, fields, _plain_metafield_specs)
    return prepare_set(item, database)


def _created_with_handle(identifier: dict[str, Any], fields: ProductFields) -> str | None:
    """The handle of the product a line identified by handle creates if no product has it (the batch sends
    the line the ordinary way when one has: it is then updated), or None: the line runs the ordinary way.
    Only a handle already in handle form, that the input does not contradict, is taken."""
    given = {key for key, value in identifier.items() if value is not None}
    handle = identifier.get("handle")
    if given != {"handle"} or not isinstance(handle, str) or given_handle(ProductFields(handle=handle)) != handle:
        return None
    return handle if not fields.handle or fields.handle == handle else None


def _plain_metafield_specs(raw: list[dict[str, Any]]) -> list[MetafieldSpec]:
    return [metafield_spec(m) for m in raw]
