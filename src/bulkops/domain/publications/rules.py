"""Publications (sales channels) and what is published on each: products and collections.

Every shop has the channels Shopify gives a new store ("Online Store", "Point of Sale"), created on first
use. Publishing to the Online Store is what sets a resource's ``publishedAt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from bulkops.db.tables import collections, products, publications, resource_publications
from bulkops.protocol.errors import UserError

DEFAULT_PUBLICATIONS = ("Online Store", "Point of Sale")
ONLINE_STORE = "Online Store"
PUBLISHABLE_TABLES: dict[str, Table] = {"Product": products, "Collection": collections}


def shop_publications(conn: Connection, shop_id: int) -> list[Any]:
    return list(conn.execute(
        select(publications).where(publications.c.shop_id == shop_id).order_by(publications.c.id)
    ))


def ensure_publications(conn: Connection, shop_id: int, now: datetime) -> list[Any]:
    """The shop's publications, creating the default channels the first time (needs a writable ``conn``)."""
    rows = shop_publications(conn, shop_id)
    if rows:
        return rows
    conn.execute(insert(publications), [
        {"shop_id": shop_id, "name": name, "auto_publish": False, "created_at": now} for name in DEFAULT_PUBLICATIONS
    ])
    return shop_publications(conn, shop_id)


def get_publication(conn: Connection, shop_id: int, publication_id: int) -> Any | None:
    return conn.execute(select(publications).where(
        publications.c.id == publication_id, publications.c.shop_id == shop_id)).first()


def publishable_exists(conn: Connection, shop_id: int, kind: str, resource_id: int) -> bool:
    table = PUBLISHABLE_TABLES.get(kind)
    if table is None:
        return False
    return conn.execute(
        select(table.c.id).where(table.c.id == resource_id, table.c.shop_id == shop_id)
    ).first() is not None


def publish(conn: Connection, shop_id: int, kind: str, resource_id: int, publication_id: int,
            publish_date: datetime) -> None:
    """Idempotent: publishing again keeps the first publish date."""
    if is_published(conn, kind, resource_id, publication_id):
        return
    conn.execute(insert(resource_publications).values(
        publication_id=publication_id, resource_type=kind, resource_id=resource_id, publish_date=publish_date))
    _sync_published_at(conn, shop_id, kind, resource_id)


def unpublish(conn: Connection, shop_id: int, kind: str, resource_id: int, publication_id: int) -> None:
    conn.execute(delete(resource_publications).where(
        resource_publications.c.publication_id == publication_id,
        resource_publications.c.resource_type == kind, resource_publications.c.resource_id == resource_id))
    _sync_published_at(conn, shop_id, kind, resource_id)


def _sync_published_at(conn: Connection, shop_id: int, kind: str, resource_id: int) -> None:
    """``publishedAt`` is the Online Store publish date, null when not published there."""
    table = PUBLISHABLE_TABLES[kind]
    row = conn.execute(
        select(resource_publications.c.publish_date)
        .join(publications, publications.c.id == resource_publications.c.publication_id)
        .where(publications.c.shop_id == shop_id, publications.c.name == ONLINE_STORE,
               resource_publications.c.resource_type == kind, resource_publications.c.resource_id == resource_id)
    ).first()
    conn.execute(update(table).where(table.c.id == resource_id).values(published_at=row.publish_date if row else None))


def is_published(conn: Connection, kind: str, resource_id: int, publication_id: int) -> bool:
    return conn.execute(select(resource_publications.c.publication_id).where(
        resource_publications.c.publication_id == publication_id, resource_publications.c.resource_type == kind,
        resource_publications.c.resource_id == resource_id)).first() is not None


def publications_of(conn: Connection, kind: str, resource_id: int) -> list[Any]:
    """(publication row, publish date) pairs where the resource is published, in publication order."""
    return list(conn.execute(
        select(publications, resource_publications.c.publish_date)
        .join(resource_publications, resource_publications.c.publication_id == publications.c.id)
        .where(resource_publications.c.resource_type == kind, resource_publications.c.resource_id == resource_id)
        .order_by(publications.c.id)
    ))


def publications_of_resources(conn: Connection, kind: str, resource_ids: list[int]) -> dict[int, list[Any]]:
    """``publications_of`` for a batch of resources at once (a bulk export's batch of collections)."""
    found: dict[int, list[Any]] = {}
    rows = conn.execute(
        select(publications, resource_publications.c.publish_date, resource_publications.c.resource_id)
        .join(resource_publications, resource_publications.c.publication_id == publications.c.id)
        .where(resource_publications.c.resource_type == kind, resource_publications.c.resource_id.in_(resource_ids))
        .order_by(resource_publications.c.resource_id, publications.c.id))
    for row in rows:
        found.setdefault(row.resource_id, []).append(row)
    return found


def published_ids(conn: Connection, kind: str, publication_id: int) -> list[int]:
    return [r.resource_id for r in conn.execute(
        select(resource_publications.c.resource_id).where(
            resource_publications.c.publication_id == publication_id, resource_publications.c.resource_type == kind)
        .order_by(resource_publications.c.resource_id))]


def set_auto_publish(conn: Connection, publication_id: int, auto_publish: bool) -> None:
    conn.execute(update(publications).where(publications.c.id == publication_id).values(auto_publish=auto_publish))


@dataclass(frozen=True)
class AutoPublishing:
    """Where a new product or collection appears at once: on every publication that has ``autoPublish`` on."""

    publication_ids: tuple[int, ...]
    online_store: bool
    """The Online Store is one of them, so the new resource's ``publishedAt`` is its creation time."""

    def published_at(self, now: datetime) -> datetime | None:
        """A new resource's ``publishedAt`` (what :func:`_sync_published_at` finds after publishing it)."""
        return now if self.online_store else None


def auto_publishing(conn: Connection, shop_id: int) -> AutoPublishing:
    rows = [r for r in shop_publications(conn, shop_id) if r.auto_publish]
    return AutoPublishing(tuple(r.id for r in rows), any(r.name == ONLINE_STORE for r in rows))


def auto_publish_new(conn: Connection, shop_id: int, kind: str, resource_id: int, now: datetime) -> None:
    """A new product or collection appears on every publication that has ``autoPublish`` on."""
    for publication_id in auto_publishing(conn, shop_id).publication_ids:
        publish(conn, shop_id, kind, resource_id, publication_id, now)


def require_publication(conn: Connection, shop_id: int, publication_id: int | None, field: list[str],
                        code: str | None = None) -> Any:
    row = get_publication(conn, shop_id, publication_id) if publication_id is not None else None
    if row is None:
        raise UserError("Publication does not exist", field, code)
    return row
