"""Inventory writes: inventorySetQuantities and inventoryAdjustQuantities, a batch of inputs at a time.

The only place these rules live. A synchronous mutation is a batch of one; a bulk chunk's lines are one batch,
applied in line order against the state as earlier lines left it, then written with one statement per kind of
row. An input with userErrors writes nothing.

Named quantities (Shopify's inventory states): ``on_hand = available + committed + damaged + quality_control +
reserved + safety_stock``; ``incoming`` stands apart. Changing ``available`` or one of the unavailable states
moves ``on_hand`` by the same delta; changing ``on_hand`` moves ``available``. ``ProductVariant.inventoryQuantity``
mirrors the sum of ``available`` over locations, so the product reads stay consistent.

Every item is stocked at its shop's primary location. A level that has no stored quantity yet starts from the
variant's ``inventory_quantity`` (available = on_hand), so variants created with a quantity before inventory
existed read the same through both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bulkops.db.tables import inventory_adjustment_groups, inventory_quantities, locations, product_variants
from bulkops.protocol.errors import UserError

UNAVAILABLE = ("committed", "damaged", "quality_control", "reserved", "safety_stock")
NAMES = ("available", "committed", "damaged", "incoming", "on_hand", "quality_control", "reserved", "safety_stock")
SETTABLE = ("available", "on_hand")
ADJUSTABLE = ("available", "damaged", "incoming", "on_hand", "quality_control", "reserved", "safety_stock")
REASONS = frozenset({
    "correction", "cycle_count_available", "damaged", "movement_created", "movement_updated", "movement_received",
    "movement_canceled", "other", "promotion", "quality_control", "received", "reservation_created",
    "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
})
"""The reasons Shopify lists for quantity changes (docs: inventory-management-apps, quantities-states)."""
SET_LIMIT = 1_000_000_000
ADJUST_LIMIT = 2_000_000_000
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:.+$")
UNSET: Any = object()
"""A compare field the input did not give at all (distinct from an explicit null)."""


@dataclass(frozen=True)
class QuantityToSet:
    item_id: int
    location_id: int
    quantity: int
    change_from: Any = UNSET
    compare_quantity: int | None = None


@dataclass(frozen=True)
class SetInput:
    """One inventorySetQuantities input (ids as numbers; 0 for an id of another type)."""

    name: str
    reason: str
    quantities: list[QuantityToSet]
    reference_document_uri: str | None = None
    ignore_compare_quantity: bool = False


@dataclass(frozen=True)
class QuantityChange:
    item_id: int
    location_id: int
    delta: int
    change_from: int | None = None
    ledger_document_uri: str | None = None


@dataclass(frozen=True)
class AdjustInput:
    """One inventoryAdjustQuantities input."""

    name: str
    reason: str
    changes: list[QuantityChange]
    reference_document_uri: str | None = None


@dataclass(frozen=True)
class Change:
    name: str
    delta: int
    quantity_after_change: int
    item_id: int
    location_id: int
    ledger_document_uri: str | None = None


@dataclass(frozen=True)
class AdjustmentGroup:
    id: int
    reason: str
    reference_document_uri: str | None
    changes: list[Change]
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What one input did: its adjustment group, or the userErrors that stopped it (nothing written)."""

    group: AdjustmentGroup | None
    errors: list[UserError]


# ---- the batch state ------------------------------------------------------------------------------
@dataclass
class _State:
    """The quantities the batch touches, as the database has them plus the batch's earlier inputs."""

    conn: Connection
    shop_id: int
    primary: int
    location_ids: set[int]
    variants: dict[int, int]
    """item id -> the variant's inventory_quantity."""
    levels: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    stored: set[tuple[int, int, str]] = field(default_factory=set)
    dirty: set[tuple[int, int, str]] = field(default_factory=set)
    touched_items: set[int] = field(default_factory=set)

    def stocked(self, item_id: int, location_id: int) -> bool:
        return location_id == self.primary or (item_id, location_id) in self.levels

    def level(self, item_id: int, location_id: int) -> dict[str, int]:
        key = (item_id, location_id)
        if key not in self.levels:
            start = self.variants[item_id] if location_id == self.primary else 0
            self.levels[key] = {"available": start, "on_hand": start}
        return self.levels[key]

    def apply(self, item_id: int, location_id: int, quantity_name: str, delta: int) -> list[Change]:
        """Move ``quantity_name`` by ``delta`` with the state it drags along; the changes, named one by one."""
        level = self.level(item_id, location_id)
        names = [quantity_name]
        if quantity_name == "on_hand":
            names.append("available")
        elif quantity_name == "available" or quantity_name in UNAVAILABLE:
            names.append("on_hand")
        out = []
        for name in names:
            level[name] = level.get(name, 0) + delta
            self.dirty.add((item_id, location_id, name))
            out.append(Change(name, delta, level[name], item_id, location_id))
        if "available" in names:
            self.touched_items.add(item_id)
        return out


def _load(conn: Connection, shop_id: int, item_ids: set[int]) -> _State:
    location_rows = list(conn.execute(select(locations.c.id, locations.c.is_primary)
                                      .where(locations.c.shop_id == shop_id)))
    primary = next((r.id for r in location_rows if r.is_primary), 0)
    wanted = sorted(i for i in item_ids if i > 0)
    variants: dict[int, int] = {}
    state = _State(conn, shop_id, primary, {r.id for r in location_rows}, variants)
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        variants.update(conn.execute(select(product_variants.c.id, product_variants.c.inventory_quantity).where(
            product_variants.c.shop_id == shop_id, product_variants.c.id.in_(part))).tuples().all())
        for row in conn.execute(select(inventory_quantities.c.item_id, inventory_quantities.c.location_id,
                                       inventory_quantities.c.name, inventory_quantities.c.quantity)
                                .where(inventory_quantities.c.item_id.in_(part))):
            state.levels.setdefault((row.item_id, row.location_id), {})[row.name] = row.quantity
            state.stored.add((row.item_id, row.location_id, row.name))
    return state


# ---- the rules ------------------------------------------------------------------------------------
def set_quantities_many(conn: Connection, shop_id: int, inputs: list[SetInput], now: datetime) -> list[Outcome]:
    """inventorySetQuantities for each input, in order; each input is all or nothing."""
    state = _load(conn, shop_id, {q.item_id for i in inputs for q in i.quantities})
    outcomes = []
    for data in inputs:
        errors = _set_errors(state, data)
        changes: list[Change] = []
        if not errors:
            for q in data.quantities:
                delta = q.quantity - state.level(q.item_id, q.location_id).get(data.name, 0)
                changes += state.apply(q.item_id, q.location_id, data.name, delta)
        outcomes.append((data.reason, data.reference_document_uri, changes, errors))
    return _write(state, outcomes, now)


def adjust_quantities_many(conn: Connection, shop_id: int, inputs: list[AdjustInput],
                           now: datetime) -> list[Outcome]:
    """inventoryAdjustQuantities for each input, in order; each input is all or nothing."""
    state = _load(conn, shop_id, {c.item_id for i in inputs for c in i.changes})
    outcomes = []
    for data in inputs:
        errors = _adjust_errors(state, data)
        changes: list[Change] = []
        if not errors:
            for c in data.changes:
                moved = state.apply(c.item_id, c.location_id, data.name, c.delta)
                changes += [m if m.name != data.name else Change(m.name, m.delta, m.quantity_after_change, m.item_id,
                                                                 m.location_id, c.ledger_document_uri) for m in moved]
        outcomes.append((data.reason, data.reference_document_uri, changes, errors))
    return _write(state, outcomes, now)


def _common_errors(state: _State, name_ok: bool, name_error: UserError, reason: str,
                   reference: str | None) -> list[UserError]:
    errors = [] if name_ok else [name_error]
    if reason not in REASONS:
        # UNCONFIRMED wording: the reference gives the code and its description only.
        errors.append(UserError("The specified reason is invalid.", ["input", "reason"], "INVALID_REASON"))
    if reference is not None and not _URI.match(reference):
        errors.append(UserError("The specified reference document is invalid.", ["input", "referenceDocumentUri"],
                                "INVALID_REFERENCE_DOCUMENT"))
    return errors


def _place_errors(state: _State, item_id: int, location_id: int, at: list[str]) -> list[UserError]:
    # Messages are the reference enum descriptions (UNCONFIRMED as Shopify's exact userError wording).
    if item_id not in state.variants:
        return [UserError("The specified inventory item could not be found.", [*at, "inventoryItemId"],
                          "INVALID_INVENTORY_ITEM")]
    if location_id not in state.location_ids:
        return [UserError("The specified location could not be found.", [*at, "locationId"], "INVALID_LOCATION")]
    if not state.stocked(item_id, location_id):
        return [UserError("The specified inventory item is not stocked at the location.", at,
                          "ITEM_NOT_STOCKED_AT_LOCATION")]
    return []


def _set_errors(state: _State, data: SetInput) -> list[UserError]:
    errors = _common_errors(state, data.name in SETTABLE, UserError(
        "The quantity name must be either 'available' or 'on_hand'.", ["input", "name"], "INVALID_NAME"),
        data.reason, data.reference_document_uri)
    seen: set[tuple[int, int]] = set()
    for index, q in enumerate(data.quantities):
        at = ["input", "quantities", str(index)]
        problems = _place_errors(state, q.item_id, q.location_id, at)
        if not problems and (q.item_id, q.location_id) in seen:
            problems = [UserError("The combination of inventoryItemId and locationId must be unique.", at,
                                  "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR")]
        seen.add((q.item_id, q.location_id))
        if q.quantity < 0:
            problems.append(UserError("The quantity can't be negative.", [*at, "quantity"],
                                      "INVALID_QUANTITY_NEGATIVE"))
        elif q.quantity > SET_LIMIT:
            problems.append(UserError("The total quantity can't be higher than 1,000,000,000.", [*at, "quantity"],
                                      "INVALID_QUANTITY_TOO_HIGH"))
        if not problems and data.name in SETTABLE:
            problems = _compare_errors(state, data, q, at)
        errors += problems
    return errors


def _compare_errors(state: _State, data: SetInput, q: QuantityToSet, at: list[str]) -> list[UserError]:
    """Compare-and-swap: ``changeFromQuantity`` given (even null) decides; else ``compareQuantity`` unless ignored."""
    current = state.level(q.item_id, q.location_id).get(data.name, 0)
    if q.change_from is not UNSET:
        if q.change_from is None or q.change_from == current:
            return []
        return [UserError("The changeFromQuantity value does not match persisted value.",
                          [*at, "changeFromQuantity"], "CHANGE_FROM_QUANTITY_STALE")]
    if data.ignore_compare_quantity:
        return []
    if q.compare_quantity is None:
        return [UserError("The compareQuantity argument must be given to each quantity or ignored using "
                          "ignoreCompareQuantity.", [*at, "compareQuantity"], "COMPARE_QUANTITY_REQUIRED")]
    if q.compare_quantity != current:
        return [UserError("The compareQuantity value does not match persisted value.", [*at, "compareQuantity"],
                          "COMPARE_QUANTITY_STALE")]
    return []


def _adjust_errors(state: _State, data: AdjustInput) -> list[UserError]:
    errors = _common_errors(state, data.name in ADJUSTABLE, UserError(
        "The specified quantity name is invalid.", ["input", "name"], "INVALID_QUANTITY_NAME"),
        data.reason, data.reference_document_uri)
    pending: dict[tuple[int, int], int] = {}
    for index, c in enumerate(data.changes):
        at = ["input", "changes", str(index)]
        problems = _place_errors(state, c.item_id, c.location_id, at)
        problems += _ledger_errors(data.name, c.ledger_document_uri, at)
        if not problems and data.name in ADJUSTABLE:
            current = state.level(c.item_id, c.location_id).get(data.name, 0)
            if c.change_from is not None and c.change_from != current:
                problems.append(UserError("The changeFromQuantity argument no longer matches the persisted quantity.",
                                          [*at, "changeFromQuantity"], "CHANGE_FROM_QUANTITY_STALE"))
            after = current + pending.get((c.item_id, c.location_id), 0) + c.delta
            pending[(c.item_id, c.location_id)] = after - current
            if after > ADJUST_LIMIT:
                problems.append(UserError("The quantity can't be higher than 2,000,000,000.", [*at, "delta"],
                                          "INVALID_QUANTITY_TOO_HIGH"))
            elif after < -ADJUST_LIMIT:
                problems.append(UserError("The quantity can't be lower than -2,000,000,000.", [*at, "delta"],
                                          "INVALID_QUANTITY_TOO_LOW"))
        errors += problems
    return errors


def _ledger_errors(name: str, uri: str | None, at: list[str]) -> list[UserError]:
    if name == "available":
        if uri is not None:
            return [UserError("A ledger document URI is not allowed when adjusting available.",
                              [*at, "ledgerDocumentUri"], "INVALID_AVAILABLE_DOCUMENT")]
        return []
    if uri is None:
        return [UserError("A ledger document URI is required except when adjusting available.",
                          [*at, "ledgerDocumentUri"], "INVALID_QUANTITY_DOCUMENT")]
    if uri.startswith("gid://shopify/"):
        return [UserError("Internal (gid://shopify/) ledger documents are not allowed to be adjusted via API.",
                          [*at, "ledgerDocumentUri"], "INTERNAL_LEDGER_DOCUMENT")]
    if not _URI.match(uri):
        return [UserError("The specified ledger document is invalid.", [*at, "ledgerDocumentUri"],
                          "INVALID_LEDGER_DOCUMENT")]
    return []


# ---- writing ----------------------------------------------------------------------------------------
def _write(state: _State, outcomes: list[tuple[str, str | None, list[Change], list[UserError]]],
           now: datetime) -> list[Outcome]:
    """The batch's rows: groups (the database numbers them, in input order, as one at a time would), quantities,
    variant mirrors."""
    written = [(reason, reference, changes) for reason, reference, changes, errors in outcomes if not errors]
    ids = iter(_insert_groups(state, written, now))
    results = []
    for reason, reference, changes, errors in outcomes:
        if errors:
            results.append(Outcome(None, errors))
        else:
            results.append(Outcome(AdjustmentGroup(next(ids), reason, reference, changes, now), []))
    _write_quantities(state, now)
    return results


def _insert_groups(state: _State, groups: list[tuple[str, str | None, list[Change]]], now: datetime) -> list[int]:
    """The groups' rows, one statement; their ids in the given order."""
    if not groups:
        return []
    rows = [{"shop_id": state.shop_id, "reason": reason, "reference_document_uri": reference,
             "changes": [_change_json(c) for c in changes], "created_at": now} for reason, reference, changes in groups]
    table = inventory_adjustment_groups
    return [row.id for row in state.conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                                 rows)]


def _write_quantities(state: _State, now: datetime) -> None:
    """Dirty quantities, plus the starting ``available``/``on_hand`` of a level written for the first time."""
    keys = set(state.dirty)
    for item_id, location_id, _name in state.dirty:
        keys |= {(item_id, location_id, n) for n in state.levels[(item_id, location_id)]}
    new = [k for k in sorted(keys) if k not in state.stored]
    old = [k for k in sorted(keys) if k in state.stored and k in state.dirty]
    if new:
        state.conn.execute(insert(inventory_quantities), [
            {"shop_id": state.shop_id, "item_id": i, "location_id": loc, "name": n,
             "quantity": state.levels[(i, loc)][n], "updated_at": now} for i, loc, n in new])
    if old:
        stmt = (update(inventory_quantities)
                .where(inventory_quantities.c.item_id == bindparam("b_item"),
                       inventory_quantities.c.location_id == bindparam("b_location"),
                       inventory_quantities.c.name == bindparam("b_name"))
                .values(quantity=bindparam("b_quantity"), updated_at=now))
        state.conn.execute(stmt, [{"b_item": i, "b_location": loc, "b_name": n,
                                   "b_quantity": state.levels[(i, loc)][n]} for i, loc, n in old])
    state.stored |= set(new)
    state.dirty.clear()
    _mirror_variants(state, state.touched_items)
    state.touched_items.clear()


def _mirror_variants(state: _State, item_ids: Iterable[int]) -> None:
    """ProductVariant.inventoryQuantity = the sum of ``available`` over the item's locations."""
    rows = [{"b_id": item_id, "b_quantity": sum(level.get("available", 0) for (i, _loc), level in state.levels.items()
                                                 if i == item_id)} for item_id in sorted(item_ids)]
    if rows:
        state.conn.execute(update(product_variants).where(product_variants.c.id == bindparam("b_id"))
                           .values(inventory_quantity=bindparam("b_quantity")), rows)


def _change_json(change: Change) -> dict[str, Any]:
    return {"name": change.name, "delta": change.delta, "quantityAfterChange": change.quantity_after_change,
            "itemId": change.item_id, "locationId": change.location_id,
            "ledgerDocumentUri": change.ledger_document_uri}


# ---- reads --------------------------------------------------------------------------------------------
DEFAULT_LOCATION_NAME = "Shop location"


def ensure_default_location(conn: Connection, shop_id: int, now: datetime) -> int:
    """The shop's primary location, created with the shop (the migration gave existing shops theirs)."""
    found = conn.execute(select(locations.c.id).where(locations.c.shop_id == shop_id,
                                                      locations.c.is_primary.is_(True))).scalar()
    if found is not None:
        return int(found)
    result = conn.execute(insert(locations).values(shop_id=shop_id, name=DEFAULT_LOCATION_NAME, is_primary=True,
                                                   is_active=True, created_at=now, updated_at=now))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get_location(conn: Connection, shop_id: int, location_id: int | None) -> Any | None:
    """A location of the shop; with no id, its primary location."""
    stmt = select(locations).where(locations.c.shop_id == shop_id)
    stmt = stmt.where(locations.c.id == location_id) if location_id is not None else stmt.where(
        locations.c.is_primary.is_(True))
    return conn.execute(stmt).first()


@dataclass(frozen=True)
class Level:
    """An item's quantities at a location: stored rows, or the starting point of a level never written."""

    item_id: int
    location_id: int
    quantities: dict[str, tuple[int, datetime | None]]
    created_at: datetime
    updated_at: datetime

    def quantity(self, name: str) -> tuple[int, datetime | None]:
        if name == "on_hand" and name not in self.quantities:
            total = sum(self.quantities.get(n, (0, None))[0] for n in ("available", *UNAVAILABLE))
            return total, None
        return self.quantities.get(name, (0, None))


def item_levels(conn: Connection, shop_id: int, item_id: int, location_id: int | None = None) -> list[Level]:
    """The item's levels (one per location it is stocked at), by location id; [] for an unknown item."""
    levels = levels_of_items(conn, shop_id, [item_id]).get(item_id, [])
    return [level for level in levels if location_id is None or level.location_id == location_id]


def levels_of_items(conn: Connection, shop_id: int, item_ids: list[int]) -> dict[int, list[Level]]:
    """Each item's levels, by location id, in three queries whatever the number of items (an export reads a
    batch of variants' levels at once); an unknown item has none."""
    variants = {row.id: row for row in conn.execute(
        select(product_variants.c.id, product_variants.c.inventory_quantity, product_variants.c.created_at).where(
            product_variants.c.shop_id == shop_id, product_variants.c.id.in_(item_ids)))}
    stored: dict[int, dict[int, dict[str, tuple[int, datetime | None]]]] = {item: {} for item in variants}
    stmt = select(inventory_quantities).where(inventory_quantities.c.item_id.in_(list(variants)))
    for row in conn.execute(stmt):
        stored[row.item_id].setdefault(row.location_id, {})[row.name] = (row.quantity, row.updated_at)
    primary = get_location(conn, shop_id, None)
    found: dict[int, list[Level]] = {}
    for item_id, variant in variants.items():
        at = stored[item_id]
        if primary is not None and primary.id not in at:
            at[primary.id] = {"available": (variant.inventory_quantity, None),
                              "on_hand": (variant.inventory_quantity, None)}
        found[item_id] = [_level(item_id, loc, at[loc], variant.created_at) for loc in sorted(at)]
    return found


def _level(item_id: int, location_id: int, quantities: dict[str, tuple[int, datetime | None]],
           created_at: datetime) -> Level:
    stamps = [t for _q, t in quantities.values() if t is not None]
    return Level(item_id, location_id, quantities, created_at, max(stamps, default=created_at))


def get_group_row(conn: Connection, shop_id: int, group_id: int) -> Any | None:
    return conn.execute(select(inventory_adjustment_groups).where(
        inventory_adjustment_groups.c.shop_id == shop_id, inventory_adjustment_groups.c.id == group_id)).first()
