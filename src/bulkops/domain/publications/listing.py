"""``Publication.products`` / ``includedProducts`` / ``collections``: the resources published there, by id."""

from __future__ import annotations

from sqlalchemy import Connection

from bulkops.db.tables import collections, products
from bulkops.domain.paging import Page, Window, read_page
from bulkops.domain.publications.rules import published_ids

_TABLES = {"Product": products, "Collection": collections}


def published_page(conn: Connection, kind: str, publication_id: int, window: Window) -> Page:
    """A page of the products or collections (``kind``) published on the publication."""
    table = _TABLES[kind]
    stmt = table.select().where(table.c.id.in_(published_ids(conn, kind, publication_id)))
    return read_page(conn, stmt, sort=table.c.id, id_col=table.c.id, window=window)
