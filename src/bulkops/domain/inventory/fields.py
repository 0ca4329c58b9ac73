"""Field -> source for Location, InventoryLevel, InventoryQuantity and InventoryAdjustmentGroup: the plain
reads, written once. Connections and links to other objects are the binding's (they need the request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bulkops.clock import iso_z
from bulkops.domain.inventory.rules import AdjustmentGroup, Change, Level
from bulkops.protocol.ids import gid

Read = Callable[[Any], Any]

LOCATION_FIELDS: dict[str, Read] = {
    "id": lambda r: gid("Location", r.id), "legacyResourceId": lambda r: str(r.id), "name": lambda r: r.name,
    "isActive": lambda r: r.is_active, "isPrimary": lambda r: r.is_primary, "activatable": lambda r: False,
    "deactivatable": lambda r: not r.is_primary, "deletable": lambda r: False, "deactivatedAt": lambda r: None,
    "fulfillsOnlineOrders": lambda r: True, "hasActiveInventory": lambda r: True,
    "hasUnfulfilledOrders": lambda r: False, "isFulfillmentService": lambda r: False,
    "shipsInventory": lambda r: True, "addressVerified": lambda r: False, "fulfillmentService": lambda r: None,
    "localPickupSettingsV2": lambda r: None, "suggestedAddresses": lambda r: [],
    "address": lambda r: {"formatted": []}, "createdAt": lambda r: iso_z(r.created_at),
    "updatedAt": lambda r: iso_z(r.updated_at),
}

LEVEL_FIELDS: dict[str, Read] = {
    "id": lambda level: level_gid(level.item_id, level.location_id), "canDeactivate": lambda level: False,
    "deactivationAlert": lambda level: None, "createdAt": lambda level: iso_z(level.created_at),
    "updatedAt": lambda level: iso_z(level.updated_at),
}

GROUP_FIELDS: dict[str, Read] = {
    "id": lambda g: gid("InventoryAdjustmentGroup", g.id), "createdAt": lambda g: iso_z(g.created_at),
    "reason": lambda g: g.reason, "referenceDocumentUri": lambda g: g.reference_document_uri,
    "app": lambda g: None, "staffMember": lambda g: None,
}


def read_all(fields: dict[str, Read], source: Any) -> dict[str, Any]:
    return {name: read(source) for name, read in fields.items()}


def level_gid(item_id: int, location_id: int) -> str:
    """Shopify's form: the location's number, the item as a query parameter."""
    return f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}"


def quantity_fields(level: Level, name: str) -> dict[str, Any]:
    quantity, updated_at = level.quantity(name)
    return {"__typename": "InventoryQuantity", "name": name, "quantity": quantity, "updatedAt": iso_z(updated_at),
            "id": f"gid://shopify/InventoryQuantity/{level.location_id}?inventory_item_id={level.item_id}&name={name}"}


def group_of(row: Any) -> AdjustmentGroup:
    """A stored group back as the rules' value (its changes as JSON)."""
    changes = [Change(c["name"], c["delta"], c["quantityAfterChange"], c["itemId"], c["locationId"],
                      c.get("ledgerDocumentUri")) for c in row.changes]
    return AdjustmentGroup(row.id, row.reason, row.reference_document_uri, changes, row.created_at)
