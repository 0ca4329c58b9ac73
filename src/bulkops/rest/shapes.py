"""What every REST resource writes the same way (times, tags, global ids) and what describes one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bulkops.domain.rest_paging import RestListing
from bulkops.protocol.ids import gid
from bulkops.rest.params import COMMON_FILTERS, PROCESSED_FILTERS


def rest_time(value: datetime | None) -> str | None:
    """REST times carry the shop's UTC offset (shops here keep UTC): ``2025-11-01T09:30:00+00:00``. Shopify's
    examples show offsets (``-04:00``); whether a UTC shop gets ``Z`` or ``+00:00`` is UNCONFIRMED: the offset
    form is kept, which every ISO 8601 reader takes."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "+00:00"


def rest_tags(tags: list[str] | None) -> str:
    """REST writes tags as one comma-separated string."""
    return ", ".join(tags or [])


def graphql_id(type_name: str, number: int) -> str:
    """``admin_graphql_api_id``: the node's GraphQL id."""
    return gid(type_name, number)


PresentMany = Callable[[Any, int, list[Any]], list[dict[str, Any]]]
"""(connection, shop id, rows) -> their REST bodies (reading what they embed in a few queries)."""


@dataclass(frozen=True)
class RestResource:
    """One REST resource with list, count and get endpoints: its path (``plural``), a get's key (``singular``),
    its rows, its own filters, and whether the filters every list shares apply (``locations.json`` takes
    none: Shopify documents no filter for it)."""

    plural: str
    singular: str
    listing: RestListing
    present_many: PresentMany
    filters: frozenset[str] = frozenset()
    common_filters: bool = True
    metafield_owner: str | None = None
    """The GraphQL type its rows own metafields as (``<plural>/<id>/metafields.json``), if any."""

    @property
    def accepted(self) -> frozenset[str]:
        """Its own filters, its word filters, the processed-time bounds when its rows have that time, and the
        shared ones."""
        own = self.filters | frozenset(self.listing.choices)
        if "processed_at" in self.listing.table.c:
            own |= PROCESSED_FILTERS
        return own | (COMMON_FILTERS if self.common_filters else frozenset())


def each(present: Callable[[Any], dict[str, Any]]) -> PresentMany:
    """A PresentMany for a resource that embeds nothing read apart."""
    return lambda conn, shop_id, rows: [present(row) for row in rows]
