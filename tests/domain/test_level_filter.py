"""``query:`` on an inventory levels connection, read against computed levels (levels are not rows): time terms
read dates and comparators as the SQL searches do, ``inventory_item_id`` picks an item, connectives combine."""

from __future__ import annotations

from datetime import datetime

import pytest

from bulkops.domain.inventory.listing import level_filter
from bulkops.domain.inventory.rules import Level

MAY_FIRST_NOON = datetime(2026, 5, 1, 12, 0)


def level(item_id: int = 7, updated_at: datetime = MAY_FIRST_NOON) -> Level:
    return Level(item_id, 1, {"available": (3, None)}, datetime(2026, 1, 1), updated_at)


@pytest.mark.parametrize(("query", "kept"), [
    (None, True),
    ("updated_at:>='2026-05-01' AND updated_at:<='2026-05-01'", True),
    ("updated_at:>2026-05-01", False),
    ("updated_at:<2026-05-01T12:00:00Z", False),
    ("updated_at:<=2026-05-01T12:00:00+00:00", True),
    ("created_at:>=2026-02-01", False),
    ("-updated_at:2026-05-01", False),
    ("inventory_item_id:7", True),
    ("inventory_item_id:gid://shopify/InventoryItem/8", False),
    ("inventory_item_id:8 OR updated_at:2026-05-01", True),
    ("updated_at:not-a-date", False),
    ("-updated_at:not-a-date", True),
])
def test_a_levels_query_keeps_the_levels_it_describes(query: str | None, kept: bool) -> None:
    assert level_filter(query)(level()) is kept
