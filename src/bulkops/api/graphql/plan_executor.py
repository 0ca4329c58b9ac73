"""Bulk line executors built on a compiled plan, with graphql-core as the exact fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection

from bulkops.api.graphql.compiled import Deoptimize, Plan
from bulkops.api.graphql.context import RequestContext
from bulkops.api.graphql.resolvers.products import option_specs, product_fields, product_presenter, shop_field
from bulkops.bulk.executor import LineExecutor, RunSlowly
from bulkops.shop.product_batch import MetafieldSpec, ProductCreateBatch

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


_BATCHABLE_INPUT = frozenset({"title", "handle", "descriptionHtml", "vendor", "productType", "status", "tags",
                              "templateSuffix", "seo", "giftCard", "requiresSellingPlan", "productOptions",
                              "metafields"})


class ProductCreateChunks(PlanExecutor):
    """productCreate a chunk at a time: lines the batch can vouch for become rows written with one
    executemany per table (no savepoint, no per-line statements); any other line runs the ordinary way at
    its turn, after the rows before it are written."""

    def __init__(self, plan: Plan, make_context: ContextFactory, slow: LineExecutor) -> None:
        super().__init__(plan, make_context, slow)
        self.present = product_presenter(plan.selected_names("product"))

    @staticmethod
    def fits(plan: Plan) -> bool:
        return (plan.root_field_name == "productCreate" and plan.pure_payload and not plan.constant_args
                and {a.name for a in plan.variable_args} <= {"product", "input"})

    def run_chunk(self, conn: Connection, lines: list[bytes],
                  run_line: Callable[[bytes], dict[str, Any]]) -> list[dict[str, Any]]:
        if not ProductCreateBatch.supported(conn):
            return [run_line(raw) for raw in lines]
        context = self.make_context(conn)
        batch = ProductCreateBatch(conn, context.shop.id)
        decoded = [_decode(raw) for raw in lines]
        batch.prefetch_handles({handle for variables in decoded for handle in _handles(variables)})
        out = []
        for raw, variables in zip(lines, decoded, strict=True):
            response = None if variables is None else self._batched(batch, context, variables)
            if response is None:
                batch.flush()
                response = run_line(raw)
                batch.after_ordinary_line()
            out.append(response)
        batch.flush()
        return out

    def _batched(self, batch: ProductCreateBatch, context: RequestContext,
                 variables: dict[str, Any]) -> dict[str, Any] | None:
        args = self.plan.arguments(variables)
        if args is None or (args.get("product") is not None and args.get("input") is not None):
            return None
        data = args.get("product") if args.get("product") is not None else args.get("input")
        if data is None or not data.keys() <= _BATCHABLE_INPUT:
            return None
        raw_metafields = data.get("metafields") or []
        if any(m.get("id") for m in raw_metafields):
            return None
        specs = [MetafieldSpec(m.get("namespace"), m.get("key") or "", m.get("value") or "", m.get("type"))
                 for m in raw_metafields]
        pending = batch.add(product_fields(data), option_specs(data.get("productOptions")), specs, context.now)
        if pending is None:
            return None
        payload = {"product": self.present(pending.product), "userErrors": [], "shop": shop_field}
        try:
            response = self.plan.shape(payload, context)
        except Deoptimize:
            return None
        batch.keep(pending)
        return response


def _decode(raw: bytes) -> dict[str, Any] | None:
    try:
        variables = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return variables if type(variables) is dict else None


def _handles(variables: dict[str, Any] | None) -> list[str]:
    """Explicit handles a line asks for (looked up together for the chunk)."""
    out = []
    for data in ((variables or {}).get("product"), (variables or {}).get("input")):
        if type(data) is dict and type(data.get("handle")) is str:
            out.append(data["handle"])
    return out
