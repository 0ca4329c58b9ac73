"""Small rules shared by the domain modules: handles, tags, timestamps, pagination."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Table, select

from bulkops.clock import iso_z
from bulkops.protocol.errors import UserError, UserErrors

MAX_NAME = 255


def handleize(text: str) -> str:
    """Shopify's handle rule: lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


HANDLE_PROBE_WINDOWS = (1, 8, 64, 500)
"""How many numbered handles each lookup asks about: the base alone first (usually free), then more and more,
up to what one ``IN`` list may hold."""


def unique_handle(conn: Connection, column: Column, shop_column: Column, shop_id: int, base: str) -> str:
    """``base``, or ``base-1``, ``base-2``… whichever is free in this shop."""
    return first_free_handle(base, lambda wanted: taken_handles(conn, column, shop_column, shop_id, wanted))[0]


def taken_handles(conn: Connection, column: Column, shop_column: Column, shop_id: int, wanted: list[str]
                  ) -> set[str]:
    """Which of ``wanted`` this shop uses: exact handles, so the (shop, handle) unique index answers, whatever
    the shop's size and the database's collation (a ``LIKE 'base-%'`` read every product of the shop)."""
    return set(conn.execute(select(column).where(shop_column == shop_id, column.in_(wanted))).scalars())


def first_free_handle(base: str, taken_among: Callable[[list[str]], set[str]], start: int = 0) -> tuple[str, int]:
    """The first of ``base``, ``base-1``, ``base-2``… (Shopify's numbering), from number ``start`` (0: ``base``
    itself), that ``taken_among`` does not answer, and its number. Asked in growing windows of exact handles,
    so the cost follows how many products share the base, not how many the shop holds."""
    number, windows = start, iter(HANDLE_PROBE_WINDOWS)
    size = 1
    while True:
        size = next(windows, size)
        candidates = [numbered_handle(base, n) for n in range(number, number + size)]
        taken = taken_among(candidates)
        for n, handle in enumerate(candidates, number):
            if handle not in taken:
                return handle, n
        number += size


def numbered_handle(base: str, number: int) -> str:
    return f"{base}-{number}" if number else base


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


T = TypeVar("T")


def in_savepoint(conn: Connection, create: Callable[[], T]) -> T | UserErrors:
    """One input created in its own savepoint: one with errors leaves no rows behind and answers its errors."""
    savepoint = conn.begin_nested()
    try:
        created = create()
    except (UserError, UserErrors) as error:
        savepoint.rollback()
        return error if isinstance(error, UserErrors) else UserErrors([error])
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return created
