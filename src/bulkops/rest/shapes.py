"""What every REST resource writes the same way: times, tags, global ids."""

from __future__ import annotations

from datetime import datetime

from bulkops.protocol.ids import gid


def rest_time(value: datetime | None) -> str | None:
    """REST times carry the shop's UTC offset (shops here keep UTC): ``2025-11-01T09:30:00+00:00``."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "+00:00"


def rest_tags(tags: list[str] | None) -> str:
    """REST writes tags as one comma-separated string."""
    return ", ".join(tags or [])


def graphql_id(type_name: str, number: int) -> str:
    """``admin_graphql_api_id``: the node's GraphQL id."""
    return gid(type_name, number)
