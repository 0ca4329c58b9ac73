"""A line of a bulk-query result file as a node: its gid, type, number, parent (``__parentId``) and document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from bulkops.protocol.ids import InvalidGlobalId, parse_gid


class LoadError(ValueError):
    """A line that cannot be stored, said with the line's number."""


class MissingParent(LoadError):
    """A line whose parent is not loaded (yet): a file may list a child before its parent; it waits."""


@dataclass(frozen=True)
class Node:
    gid: str
    typename: str
    number: int
    parent: str | None
    document: dict[str, Any]

    @property
    def parent_type(self) -> str | None:
        return None if self.parent is None else parse_gid(self.parent)[0]

    @property
    def parent_number(self) -> int | None:
        return None if self.parent is None else parse_gid(self.parent)[1]


def parse_node(raw: bytes) -> Node:
    """One line of a result file -> its node (LoadError when it is not one)."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LoadError(f"not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise LoadError("not a JSON object")
    gid, parent = str(document.get("id")), document.pop("__parentId", None)
    try:
        typename, number = parse_gid(gid)
        if parent is not None:
            parse_gid(parent)
    except InvalidGlobalId as exc:
        raise LoadError(f"{exc} (every line needs the node's 'id', and '__parentId' a global id)") from exc
    if document.get("__typename") not in (None, typename):
        raise LoadError(f"'__typename' {document['__typename']!r} is not the type of its id {gid!r}")
    return Node(gid, typename, number, parent, document)
