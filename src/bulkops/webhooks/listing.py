"""``webhookSubscriptions``: its own arguments (topics, format, uri), its search fields and sort keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from bulkops.db.tables import webhook_subscriptions
from bulkops.domain.listing import apply_search
from bulkops.domain.paging import Page, Window, read_page
from bulkops.webhooks.subscriptions import subscriptions_query

SEARCH = {
    "id": webhook_subscriptions.c.id, "topic": webhook_subscriptions.c.topic,
    "format": webhook_subscriptions.c.format, "created_at": webhook_subscriptions.c.created_at,
    "updated_at": webhook_subscriptions.c.updated_at,
}
SORT = {"CREATED_AT": webhook_subscriptions.c.created_at, "ID": webhook_subscriptions.c.id}


@dataclass(frozen=True)
class SubscriptionFilter:
    """``webhookSubscriptions``' narrowing arguments (None: not given) and its ``query:`` search."""

    topics: list[str] | None = None
    format: str | None = None
    uri: str | None = None
    query: str | None = None


def subscriptions_page(conn: Connection, shop_id: int, narrowed: SubscriptionFilter, window: Window) -> Page:
    """A page of the shop's subscriptions; bare words in the search match the address."""
    stmt = subscriptions_query(shop_id, topics=narrowed.topics, fmt=narrowed.format, uri=narrowed.uri)
    stmt = apply_search(stmt, narrowed.query, SEARCH, webhook_subscriptions.c.uri)
    return read_page(conn, stmt, sort=SORT.get(window.sort_key or "CREATED_AT", webhook_subscriptions.c.created_at),
                     id_col=webhook_subscriptions.c.id, window=window)
