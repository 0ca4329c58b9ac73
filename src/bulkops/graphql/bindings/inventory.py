"""Inventory: inventorySetQuantities, inventoryAdjustQuantities; location(s), inventoryItem, inventoryLevel,
InventoryItem's levels and variant, InventoryLevel's named quantities. Thin: translate, call the domain, shape.

``InventoryChunks`` is the batched bulk writer of both mutations (graphql/registry.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.inventory import rules
from bulkops.domain.inventory.fields import (
    GROUP_FIELDS,
    LEVEL_FIELDS,
    LOCATION_FIELDS,
    group_of,
    quantity_fields,
    read_all,
)
from bulkops.domain.inventory.listing import item_levels_page, locations_page
from bulkops.domain.paging import Window
from bulkops.engine.executor import LineExecutor
from bulkops.graphql.bindings.common import connection, page_args, require_id
from bulkops.graphql.bindings.nodes import LOADERS, register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.planner.mutation_plan import Plan
from bulkops.graphql.planner.writer_base import WrittenInRuns, line_arguments, selections_within
from bulkops.protocol.errors import RequestError, UserFacingError
from bulkops.protocol.ids import InvalidGlobalId

if TYPE_CHECKING:
    from sqlalchemy import Connection

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
item_type = ObjectType("InventoryItem")


# ---- presenting -----------------------------------------------------------------------------------
def present_location(row: Any) -> dict[str, Any]:
    context_free = read_all(LOCATION_FIELDS, row)
    return {"__typename": "Location", **context_free,
            "inventoryLevel": lambda info, inventoryItemId: _level_at(ctx(info), inventoryItemId, row.id)}


@register("Location")
def load_location(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_location(context.conn, context.shop.id, number)
    return present_location(row) if row else None


def _load_item(context: RequestContext, item_id: int) -> dict[str, Any] | None:
    return LOADERS["InventoryItem"](context, item_id)


def present_level(level: rules.Level) -> dict[str, Any]:
    return {"__typename": "InventoryLevel", **read_all(LEVEL_FIELDS, level),
            "item": lambda info: _load_item(ctx(info), level.item_id),
            "location": lambda info: load_location(ctx(info), level.location_id),
            "quantities": lambda info, names: [quantity_fields(level, name) for name in names]}


def present_group(group: rules.AdjustmentGroup) -> dict[str, Any]:
    def changes(info: GraphQLResolveInfo, inventoryItemIds: list[str] | None = None,
                locationIds: list[str] | None = None, quantityNames: list[str] | None = None) -> list[dict[str, Any]]:
        items = None if inventoryItemIds is None else {_number(i, "InventoryItem") for i in inventoryItemIds}
        places = None if locationIds is None else {_number(i, "Location") for i in locationIds}
        return [present_change(c) for c in group.changes
                if (items is None or c.item_id in items) and (places is None or c.location_id in places)
                and (quantityNames is None or c.name in quantityNames)]

    return {"__typename": "InventoryAdjustmentGroup", **read_all(GROUP_FIELDS, group), "changes": changes}


def present_change(change: rules.Change) -> dict[str, Any]:
    return {"name": change.name, "delta": change.delta, "quantityAfterChange": change.quantity_after_change,
            "ledgerDocumentUri": change.ledger_document_uri,
            "item": lambda info: _load_item(ctx(info), change.item_id),
            "location": lambda info: load_location(ctx(info), change.location_id)}


def present_outcome(outcome: rules.Outcome) -> dict[str, Any]:
    return {"inventoryAdjustmentGroup": present_group(outcome.group) if outcome.group else None,
            "userErrors": [e.as_dict() for e in outcome.errors]}


@register("InventoryAdjustmentGroup")
def load_group(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_group_row(context.conn, context.shop.id, number)
    return present_group(group_of(row)) if row else None


# ---- input translation ----------------------------------------------------------------------------
def _number(raw: str, type_name: str, field: list[str] | None = None) -> int:
    """A gid's number; 0 (nothing has it) for a gid of another type; a request error for a malformed one."""
    return require_id(raw, type_name, field) or 0


def set_input(data: dict[str, Any]) -> rules.SetInput:
    return rules.SetInput(
        name=data["name"], reason=data["reason"], reference_document_uri=data.get("referenceDocumentUri"),
        ignore_compare_quantity=bool(data.get("ignoreCompareQuantity")),
        quantities=[rules.QuantityToSet(
            _number(q["inventoryItemId"], "InventoryItem"), _number(q["locationId"], "Location"), q["quantity"],
            q["changeFromQuantity"] if "changeFromQuantity" in q else rules.UNSET, q.get("compareQuantity"))
            for q in data["quantities"]])


def adjust_input(data: dict[str, Any]) -> rules.AdjustInput:
    return rules.AdjustInput(
        name=data["name"], reason=data["reason"], reference_document_uri=data.get("referenceDocumentUri"),
        changes=[rules.QuantityChange(
            _number(c["inventoryItemId"], "InventoryItem"), _number(c["locationId"], "Location"), c["delta"],
            c.get("changeFromQuantity"), c.get("ledgerDocumentUri")) for c in data["changes"]])


# ---- mutations ------------------------------------------------------------------------------------
@mutation.field("inventorySetQuantities")
def resolve_set_quantities(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    [outcome] = rules.set_quantities_many(context.conn, context.shop.id, [set_input(input)], context.now)
    return present_outcome(outcome)


@mutation.field("inventoryAdjustQuantities")
def resolve_adjust_quantities(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    [outcome] = rules.adjust_quantities_many(context.conn, context.shop.id, [adjust_input(input)], context.now)
    return present_outcome(outcome)


# ---- reads ----------------------------------------------------------------------------------------
@query.field("location")
def resolve_location(_: Any, info: GraphQLResolveInfo, id: str | None = None) -> dict[str, Any] | None:
    context = ctx(info)
    number = None if id is None else _number(id, "Location")
    row = rules.get_location(context.conn, context.shop.id, number)
    return present_location(row) if row else None


@query.field("locations")
def resolve_locations(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                      last: int | None = None, before: str | None = None, reverse: bool = False,
                      sortKey: str = "NAME", query: str | None = None, includeInactive: bool = False,
                      includeLegacy: bool = False) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = locations_page(context.conn, context.shop.id, query, includeInactive,
                          Window(first, after, last, before, reverse, sortKey))
    return connection(page, present_location)


@query.field("inventoryItem")
def resolve_inventory_item(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    return _load_item(ctx(info), _number(id, "InventoryItem"))


_LEVEL_GID = re.compile(r"^gid://shopify/InventoryLevel/(\d+)\?inventory_item_id=(\d+)$")


@query.field("inventoryLevel")
def resolve_inventory_level(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    match = _LEVEL_GID.match(id)
    if match is None:
        raise RequestError(str(InvalidGlobalId(id)), "argumentLiteralsIncompatible", typeName="CoercionError")
    location_id, item_id = int(match.group(1)), int(match.group(2))
    levels = rules.item_levels(ctx(info).conn, ctx(info).shop.id, item_id, location_id)
    return present_level(levels[0]) if levels else None


def _item_number(item: dict[str, Any]) -> int:
    return _number(item["id"], "InventoryItem")


def _level_at(context: RequestContext, item_gid: str, location_id: int) -> dict[str, Any] | None:
    levels = rules.item_levels(context.conn, context.shop.id, _number(item_gid, "InventoryItem"), location_id)
    return present_level(levels[0]) if levels else None


@item_type.field("inventoryLevel")
def resolve_item_level(item: dict[str, Any], info: GraphQLResolveInfo, locationId: str) -> dict[str, Any] | None:
    return _level_at(ctx(info), item["id"], _number(locationId, "Location"))


@item_type.field("inventoryLevels")
def resolve_item_levels(item: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                        after: str | None = None, last: int | None = None, before: str | None = None,
                        reverse: bool = False, query: str | None = None) -> dict[str, Any]:
    """Every level of the item (one per location it is stocked at), by location id; ``query`` is not applied."""
    page_args(first, last)
    context = ctx(info)
    page = item_levels_page(context.conn, context.shop.id, _item_number(item),
                            Window(first, after, last, before, reverse))
    return connection(page, present_level)


@item_type.field("variant")
def resolve_item_variant(item: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return LOADERS["ProductVariant"](ctx(info), _item_number(item))


# ---- the batched bulk writer ----------------------------------------------------------------------
_WRITES: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[..., list[rules.Outcome]]]] = {
    "inventorySetQuantities": (set_input, rules.set_quantities_many),
    "inventoryAdjustQuantities": (adjust_input, rules.adjust_quantities_many),
}
_SAFE_SELECTIONS: dict[tuple[str, ...], set[str]] = {
    (): {"inventoryAdjustmentGroup", "userErrors"},
    ("userErrors",): {"field", "message", "code"},
    ("inventoryAdjustmentGroup",): {"id", "createdAt", "reason", "referenceDocumentUri", "changes", "app",
                                    "staffMember", "__typename"},
    ("inventoryAdjustmentGroup", "changes"): {"name", "delta", "quantityAfterChange", "ledgerDocumentUri", "item",
                                              "location", "__typename"},
    ("inventoryAdjustmentGroup", "changes", "item"): {"id", "legacyResourceId", "sku", "tracked", "__typename"},
    ("inventoryAdjustmentGroup", "changes", "location"): {"id", "legacyResourceId", "name", "isActive",
                                                          "__typename"},
}
"""Payload selections the writer shapes with certainty once a line's rows are written (every field presented,
no resolver that can fail): a line's answer can then never need the per-line path after its write."""


class InventoryChunks(WrittenInRuns):
    """inventorySetQuantities / inventoryAdjustQuantities a chunk at a time: the chunk's lines go to the domain's
    ``*_many`` together (read once, applied in line order, written with one statement per kind of row); a line
    the plan cannot vouch for runs the ordinary way at its turn, after the lines before it are written."""

    def __init__(self, plan: Plan, make_context: Callable[[Connection], RequestContext], slow: LineExecutor,
                 elsewhere: Any = None) -> None:
        super().__init__(plan, make_context, slow)
        self.translate, self.write_many = _WRITES[plan.root_field_name]

    @staticmethod
    def fits(plan: Plan) -> bool:
        if plan.root_field_name not in _WRITES or plan.constant_args:
            return False
        if {a.name for a in plan.variable_args} != {"input"}:
            return False
        return selections_within(plan, _SAFE_SELECTIONS)

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[Any]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        translate = _WRITES[plan.root_field_name][0]
        return [_prepare_line(plan, translate, raw) for raw in lines]

    def write_run(self, context: RequestContext, batch: list[Any]) -> list[dict[str, Any]]:
        outcomes = self.write_many(context.conn, context.shop.id, batch, context.now)
        return [self.plan.shape(present_outcome(outcome), context) for outcome in outcomes]


def _prepare_line(plan: Plan, translate: Callable[[dict[str, Any]], Any], raw: bytes) -> Any:
    args = line_arguments(plan, raw)
    if args is None or args.get("input") is None:
        return None
    try:
        return translate(args["input"])
    except UserFacingError:
        return None


bindables = [query, mutation, item_type]
