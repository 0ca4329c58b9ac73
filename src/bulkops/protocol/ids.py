"""Shopify global ids: ``gid://shopify/<Type>/<number>``."""

from __future__ import annotations

import re

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(\?.*)?$")


class InvalidGlobalId(ValueError):
    def __init__(self, raw: object) -> None:
        super().__init__(f"Invalid global id '{raw}'")
        self.raw = raw


_ANY_GID = re.compile(r"^gid://[A-Za-z0-9-]+/[A-Za-z][A-Za-z0-9]*/[^/?#\s]+(\?\S*)?$")


def is_global_id(raw: str) -> bool:
    """Whether ``raw`` is a well-formed gid (what ``check_global_id`` lets through)."""
    return _ANY_GID.match(raw) is not None


def check_global_id(raw: object) -> None:
    """What Shopify's ``ID`` input accepts: any well-formed gid (``gid://shopify/TaxonomyCategory/aa-1`` too);
    a malformed one is ``Invalid global id '...'``. Which resource it names is each resolver's business."""
    if not isinstance(raw, str) or not _ANY_GID.match(raw):
        raise InvalidGlobalId(raw)


def gid(type_name: str, number: int) -> str:
    return f"gid://shopify/{type_name}/{number}"


MAX_ID = 2**63 - 1
NO_SUCH_ID = 0
"""Well-formed ids beyond what a database column holds name nothing: they become an id no row has."""


def parse_gid(raw: str) -> tuple[str, int]:
    match = _GID.match(raw) if isinstance(raw, str) else None
    if not match:
        raise InvalidGlobalId(raw)
    number = int(match.group(2))
    return match.group(1), number if number <= MAX_ID else NO_SUCH_ID


def id_of_type(raw: str, type_name: str) -> int | None:
    """The number of a gid of ``type_name``; None for a well-formed gid of another type."""
    kind, number = parse_gid(raw)
    return number if kind == type_name else None
