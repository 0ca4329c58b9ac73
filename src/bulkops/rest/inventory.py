"""``locations.json`` and ``inventory_levels.json``: the REST Location and InventoryLevel resources."""

from __future__ import annotations

from typing import Any

from bulkops.domain.inventory.listing import LOCATIONS_REST
from bulkops.domain.inventory.rules import Level
from bulkops.rest.shapes import RestResource, each, graphql_id, rest_time

_NO_ADDRESS = dict.fromkeys(("address1", "address2", "city", "zip", "province", "country", "phone", "country_code",
                             "country_name", "province_code", "localized_country_name",
                             "localized_province_name"))
"""Locations here keep no address (GraphQL answers ``address { formatted: [] }`` likewise)."""


def present(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, **_NO_ADDRESS, "created_at": rest_time(row.created_at),
            "updated_at": rest_time(row.updated_at), "legacy": False, "active": row.is_active,
            "admin_graphql_api_id": graphql_id("Location", row.id)}


LOCATIONS = RestResource("locations", "location", LOCATIONS_REST, each(present), common_filters=False,
                         metafield_owner="Location")
"""Shopify documents no filter for ``locations.json`` (connectors send ``updated_at_min`` anyway): none applies."""


def present_level(level: Level) -> dict[str, Any]:
    available, _at = level.quantity("available")
    return {"inventory_item_id": level.item_id, "location_id": level.location_id, "available": available,
            "updated_at": rest_time(level.updated_at),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{level.location_id}"
                                    f"?inventory_item_id={level.item_id}"}
