"""The id of a row just inserted: one typed place instead of indexing ``inserted_primary_key`` everywhere.

SQLAlchemy types ``inserted_primary_key`` as optional because it is absent for multi-row inserts and for
inserts with ``RETURNING``; every caller here inserts one row into a table with an integer primary key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult


def inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key of the single row the INSERT behind ``result`` created."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the INSERT reported no primary key (multi-row or RETURNING insert?)")
    return int(key[0])
