"""A store loaded from its own export: every line of a bulk-query result file, exactly as Shopify writes it
(one node per line with its ``id``; children carrying ``__parentId`` last; nested objects inline), stored under
one shop.

Ids are kept: ``gid://shopify/Product/123`` is product 123 here, so a connector's saved ids and the export's
``__parentId`` links stay true (``new_ids``: the next free ones, links following). A node of a type the domain
has a table for becomes that table's row (keepers.py), so queries and exports answer it like any other; every
node is also kept whole as its document (rules.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from bulkops.domain.documents.keepers import KEEPERS, table_of
from bulkops.domain.documents.nodes import LoadError, MissingParent, Node, parse_node
from bulkops.domain.documents.rules import keep_document
from bulkops.protocol.ids import parse_gid

MAX_ERRORS = 100
"""Line errors a report keeps (the count goes on)."""


@dataclass
class NewIds:
    """``--new-ids``: each node of a type with a table takes the next free id of its table (a table's ids are one
    sequence for every shop), and the gids naming it later in the file (``__parentId``, ``variant { id }``)
    follow. Nodes kept only as documents keep theirs (documents are per shop)."""

    given: dict[str, str] = field(default_factory=dict)
    """The file's gid -> the one it was given."""
    next_free: dict[str, int] = field(default_factory=dict)

    def renumber(self, conn: Connection, node: Node) -> Node:
        parent = self.given.get(node.parent, node.parent) if node.parent is not None else None
        document = _renamed(node.document, self.given)
        table = table_of(node)
        if table is None:
            return replace(node, parent=parent, document=document)
        if node.gid not in self.given:
            if table.name not in self.next_free:
                self.next_free[table.name] = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            self.given[node.gid] = f"gid://shopify/{node.typename}/{self.next_free[table.name]}"
            self.next_free[table.name] += 1
        gid = self.given[node.gid]
        document["id"] = gid
        if isinstance(document.get("options"), list):  # option ids are one sequence too: new ones are given
            document["options"] = [{k: v for k, v in o.items() if k != "id"} if isinstance(o, dict) else o
                                   for o in document["options"]]
        return Node(gid, node.typename, parse_gid(gid)[1], parent, document)


def _renamed(value: Any, given: dict[str, str]) -> Any:
    """The document with every gid the load renumbered replaced by its new one."""
    if isinstance(value, dict):
        return {key: _renamed(inner, given) for key, inner in value.items()}
    if isinstance(value, list):
        return [_renamed(inner, given) for inner in value]
    return given.get(value, value) if isinstance(value, str) else value


@dataclass
class LoadReport:
    """What a load stored: nodes per type, how many went into the domain's tables, the lines refused, and with
    ``new_ids`` the ids given."""

    nodes: Counter[str] = field(default_factory=Counter)
    in_tables: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    new_ids: NewIds | None = None
    waiting: list[tuple[int, bytes, str]] = field(default_factory=list)
    """Lines met before their parent: (number, line, why), tried again when the file is done."""

    @property
    def total(self) -> int:
        return sum(self.nodes.values())

    def refuse(self, line: int, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"line {line}: {message}")


def load_nodes(conn: Connection, shop_id: int, lines: Iterable[bytes], now: datetime, *,
               report: LoadReport | None = None, first_line: int = 1, new_ids: bool = False,
               final: bool = True) -> LoadReport:
    """Store every line's node under the shop, each in its own savepoint: a line that cannot be stored is
    reported with its number and leaves nothing behind; the others are kept. Ids are kept unless ``new_ids``
    (``NewIds``). A line met before its parent (Shopify promises no order without ``groupObjects``) waits and
    is tried again at the end (``final``). A caller loading a long file in several transactions passes its
    ``report`` (which carries the ids given and the waiting lines) and the block's ``first_line`` along, with
    ``final=False`` but for a last call."""
    report = LoadReport() if report is None else report
    if new_ids and report.new_ids is None:
        report.new_ids = NewIds()
    for number, raw in enumerate(lines, start=first_line):
        if raw.strip():
            _load_line(conn, shop_id, number, raw, now, report)
    if final:
        _load_waiting(conn, shop_id, now, report)
    return report


def _load_waiting(conn: Connection, shop_id: int, now: datetime, report: LoadReport) -> None:
    """Try the waiting lines again while some of them find their parent; refuse the rest."""
    while report.waiting:
        waiting, report.waiting = report.waiting, []
        for number, raw, _ in waiting:
            _load_line(conn, shop_id, number, raw, now, report)
        if len(report.waiting) == len(waiting):
            break
    for number, _, why in sorted(report.waiting):
        report.refuse(number, why)
    report.waiting = []


def _load_line(conn: Connection, shop_id: int, number: int, raw: bytes, now: datetime, report: LoadReport) -> None:
    savepoint = conn.begin_nested()
    try:
        node = parse_node(raw)
        if report.new_ids is not None:
            node = report.new_ids.renumber(conn, node)
        keep_document(conn, shop_id, node.gid, node.typename, node.number, node.parent, number, node.document)
        keeper = KEEPERS.get(node.typename)
        in_table = keeper is not None and keeper(conn, shop_id, node, now) is not False
    except MissingParent as exc:
        savepoint.rollback()
        report.waiting.append((number, raw, str(exc)))
        return
    except LoadError as exc:
        savepoint.rollback()
        report.refuse(number, str(exc))
        return
    except IntegrityError as exc:
        savepoint.rollback()
        report.refuse(number, f"{_gid_of(raw)} conflicts with what the shop holds ({exc.orig})")
        return
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    report.nodes[node.typename] += 1
    report.in_tables += in_table


def _gid_of(raw: bytes) -> str:
    try:
        return str(orjson.loads(raw).get("id"))
    except (orjson.JSONDecodeError, AttributeError):
        return "the node"
