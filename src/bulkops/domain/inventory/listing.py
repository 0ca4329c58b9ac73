"""The ``locations`` root connection: its search filters and sort keys (queries and exports alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from bulkops.db.tables import locations
from bulkops.domain.listing import apply_search

LOCATION_SEARCH = {"id": locations.c.id, "location_id": locations.c.id, "name": locations.c.name,
                   "created_at": locations.c.created_at, "updated_at": locations.c.updated_at}
LOCATION_SORT: dict[str, Any] = {"ID": locations.c.id, "NAME": locations.c.name, "RELEVANCE": locations.c.id}


def locations_query(shop_id: int, query: str | None, include_inactive: bool) -> Select:
    stmt = select(locations).where(locations.c.shop_id == shop_id)
    if not include_inactive:
        stmt = stmt.where(locations.c.is_active.is_(True))
    return apply_search(stmt, query, LOCATION_SEARCH, locations.c.name)
