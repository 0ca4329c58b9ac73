"""``marketingActivities``: the ids and remote ids it may be narrowed to, its search fields and sort keys."""

from __future__ import annotations

from sqlalchemy import Connection, select

from bulkops.db.tables import marketing_activities
from bulkops.domain.listing import apply_search
from bulkops.domain.paging import Page, Window, read_page

SEARCH = {"title": marketing_activities.c.title, "tactic": marketing_activities.c.tactic,
          "created_at": marketing_activities.c.created_at, "updated_at": marketing_activities.c.updated_at}
SORT = {"CREATED_AT": marketing_activities.c.created_at, "ID": marketing_activities.c.id,
        "TITLE": marketing_activities.c.title, "RELEVANCE": marketing_activities.c.id}


def activities_page(conn: Connection, shop_id: int, query: str | None, window: Window,
                    activity_ids: list[int] | None = None, remote_ids: list[str] | None = None) -> Page:
    """A page of the shop's activities; a non-empty id list keeps only those activities."""
    stmt = select(marketing_activities).where(marketing_activities.c.shop_id == shop_id)
    if activity_ids:
        stmt = stmt.where(marketing_activities.c.id.in_(activity_ids))
    if remote_ids:
        stmt = stmt.where(marketing_activities.c.remote_id.in_(remote_ids))
    stmt = apply_search(stmt, query, SEARCH, marketing_activities.c.title)
    return read_page(conn, stmt, sort=SORT.get(window.sort_key or "CREATED_AT", marketing_activities.c.created_at),
                     id_col=marketing_activities.c.id, window=window)
