"""Small rules shared by the domain modules: handles, tags, timestamps, pagination."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import Column, Connection, Table, select

from bulkops.clock import iso_z

MAX_NAME = 255


def handleize(text: str) -> str:
    """Shopify's handle rule: lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def unique_handle(conn: Connection, column: Column, shop_column: Column, shop_id: int, base: str,
                  taken: set[str] | None = None) -> str:
    """``base``, or ``base-1``, ``base-2``… whichever is free in this shop."""
    rows = conn.execute(
        select(column).where(shop_column == shop_id, (column == base) | column.like(f"{base}-%"))
    )
    return first_free_handle(base, {r[0] for r in rows} | (taken or set()))


def first_free_handle(base: str, used: set[str]) -> str:
    """``base``, or ``base-1``, ``base-2``… whichever is not in ``used``."""
    if base not in used:
        return base
    n = 1
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def normalize_tags(tags: Any) -> list[str]:
    """Tags arrive as a list or a comma-separated string; stored trimmed, unique, in order."""
    items = tags.split(",") if isinstance(tags, str) else list(tags or [])
    seen: dict[str, None] = {}
    for tag in items:
        tag = str(tag).strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def timestamps(row: Any, *names: str) -> dict[str, str | None]:
    return {name: iso_z(getattr(row, name)) for name in names}


def exists(conn: Connection, table: Table, **where: Any) -> bool:
    stmt = select(table.c.id)
    for key, value in where.items():
        stmt = stmt.where(table.c[key] == value)
    return conn.execute(stmt.limit(1)).first() is not None
