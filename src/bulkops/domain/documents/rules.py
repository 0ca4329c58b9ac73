"""Node documents: a loaded node kept whole, in the Admin API's shape (``bulkops load``), one per (shop, gid).

A document answers the fields of its node that no column or computed source answers, and lists the nodes of a
type that has no table of its own. Its ``parent_gid`` is the line's ``__parentId`` (the node it was exported
under), ``position`` its order among the file's lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bulkops.db.tables import node_documents
from bulkops.protocol.ids import parse_gid


def stamp(document: dict[str, Any], field: str) -> datetime | None:
    """A DateTime field of the document as a naive UTC time (as stored); None when absent or not one."""
    raw = document.get(field)
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def keep_document(conn: Connection, shop_id: int, gid: str, typename: str, number: int, parent_gid: str | None,
                  position: int, document: dict[str, Any]) -> None:
    """Store the node's document; a node loaded again (a product met at the top and under a collection) keeps
    its first place and parent, and gains the fields the later line adds."""
    d = node_documents.c
    found = conn.execute(select(d.id, d.document).where(d.shop_id == shop_id, d.gid == gid)).first()
    if found is None:
        parent_type, parent_number = parse_gid(parent_gid) if parent_gid is not None else (None, None)
        conn.execute(insert(node_documents), {
            "shop_id": shop_id, "gid": gid, "typename": typename, "number": number, "parent_gid": parent_gid,
            "parent_type": parent_type, "parent_number": parent_number, "position": position, "document": document,
            "created_at": stamp(document, "createdAt"), "updated_at": stamp(document, "updatedAt")})
        return
    merged = {**found.document, **document}
    conn.execute(update(node_documents).where(d.id == found.id).values(
        document=merged, created_at=stamp(merged, "createdAt"), updated_at=stamp(merged, "updatedAt")))


def documents_of(conn: Connection, shop_id: int, gids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The documents of these nodes that the shop holds, by gid (one query)."""
    wanted = list(dict.fromkeys(gids))
    if not wanted:
        return {}
    d = node_documents.c
    return {row.gid: row.document for row in conn.execute(
        select(d.gid, d.document).where(d.shop_id == shop_id, d.gid.in_(wanted)))}


def has_documents(conn: Connection, shop_id: int) -> bool:
    d = node_documents.c
    return conn.execute(select(d.id).where(d.shop_id == shop_id).limit(1)).first() is not None
