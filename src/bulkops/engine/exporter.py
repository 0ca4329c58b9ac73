"""The export runner: streams a compiled bulk query to JSONL, a batch of top-level rows at a time.

Each batch reads its root rows (keyset, in the connection's order), then the children of that batch (and their
children). A chunk gathers batches until it holds ``chunk_lines × OBJECTS_PER_CHUNK_LINE`` objects, then its lines
are written as one segment (fsync'd) before the chunk is recorded with its counters in one transaction. Memory
holds one chunk's encoded lines, whatever the export's size. A chunk record remembers the last root row it covered
(``resume_offset`` holds that row's primary key), so a restart continues after it without repeating a line.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

import orjson
from sqlalchemy import Connection

from bulkops.db.database import Database
from bulkops.engine import operations as ops
from bulkops.protocol.results import segment_key, shopify_escape

Row = Any

OBJECTS_PER_CHUNK_LINE = 16
"""An export chunk closes at ``chunk_lines`` × this many objects (8,000 by default): segments, fsyncs, chunk
records and cancel checks stay rare next to the rows, while rows are still read ``chunk_lines`` roots at a time."""


class ExportConnection(Protocol):
    """One connection of the query, compiled by the GraphQL layer."""

    @property
    def children(self) -> Sequence[ExportConnection]:
        """The connections nested in this one (read-only here, so any sequence of connections will do)."""

    def key(self, row: Row) -> int:
        """The row's primary key (what its children point at)."""

    def gid(self, row: Row) -> str:
        """The row's global id (what its children's ``__parentId`` says)."""

    def shape(self, conn: Connection, rows: list[Row]) -> list[dict[str, Any]]:
        """Each row as its JSONL object: the selected fields, in selection order, with aliases."""

    def children_of(self, conn: Connection, parent_keys: list[int]) -> dict[int, list[Row]]:
        """The rows of this (nested) connection for each parent, in the connection's order."""


class ExportRoot(ExportConnection, Protocol):
    def page(self, conn: Connection, after: Row | None, limit: int) -> list[Row]:
        """The next ``limit`` top-level rows after ``after`` (from the start when None)."""

    def row_by_key(self, conn: Connection, key: int) -> Row | None:
        """A top-level row by primary key (to resume after it)."""


PlanFactory = Callable[[ops.Operation], ExportRoot]
"""(operation) -> its compiled export plan (the GraphQL layer compiles it once per operation and process)."""

Plan = TypeVar("Plan")


class KeptPlans(Generic[Plan]):
    """Plans compiled when their operation was created, kept for the worker of the same runtime, so a query is
    compiled once per operation and process. One per runtime (``Runtime.kept_plans``): two servers in one
    process, each with its own database and so its own operation ids, never take each other's plans. Bounded:
    a plan not taken (the operation ran elsewhere) is dropped after ``size`` newer ones; losing one costs a
    compile. Each plan is kept with its query text: an id the database hands out again (a rolled-back insert)
    never gets another query's plan."""

    def __init__(self, size: int = 32) -> None:
        self._plans: OrderedDict[int, tuple[str | None, Plan]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def keep(self, operation_id: int, plan: Plan, query: str | None = None) -> None:
        with self._lock:
            self._plans[operation_id] = (query, plan)
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)

    def clear(self) -> None:
        """Forget every plan (a reset hands the same operation ids out again, to other shops' queries)."""
        with self._lock:
            self._plans.clear()

    def take(self, operation_id: int, query: str | None = None) -> Plan | None:
        with self._lock:
            kept = self._plans.pop(operation_id, None)
        if kept is None or (query is not None and kept[0] is not None and kept[0] != query):
            return None
        return kept[1]


class _Batch:
    """The lines of one chunk, encoded as they are produced; Shopify's escaping runs once on the whole chunk."""

    def __init__(self) -> None:
        self.lines = bytearray()
        self.objects = 0

    def add(self, obj: dict[str, Any], parent_gid: str | None) -> None:
        if parent_gid is not None:
            obj["__parentId"] = parent_gid
        # Copied at once: orjson's own result keeps a 4 KB buffer, 30 MB over a chunk if they were kept.
        self.lines += orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
        self.objects += 1

    def data(self) -> bytes:
        return shopify_escape(bytes(self.lines))


def _grouped(conn: Connection, connection: ExportConnection, rows: list[Row], parent_gid: str | None,
             batch: _Batch) -> None:
    """``groupObjects: true``: every object directly followed by its children (depth first)."""
    objects = connection.shape(conn, rows)
    nested = [(child, child.children_of(conn, [connection.key(r) for r in rows])) for child in connection.children]
    for row, obj in zip(rows, objects, strict=True):
        batch.add(obj, parent_gid)
        for child, by_parent in nested:
            mine = by_parent.get(connection.key(row), [])
            if mine:
                _grouped(conn, child, mine, connection.gid(row), batch)


def _by_level(conn: Connection, connection: ExportConnection, rows: list[Row], parent_gids: list[str | None],
              batch: _Batch) -> None:
    """``groupObjects: false``: the batch's objects, then all their children, then the grandchildren; every
    child still comes after its parent (older docs promised that much)."""
    for obj, parent_gid in zip(connection.shape(conn, rows), parent_gids, strict=True):
        batch.add(obj, parent_gid)
    for child in connection.children:
        by_parent = child.children_of(conn, [connection.key(r) for r in rows])
        child_rows: list[Row] = []
        gids: list[str | None] = []
        for row in rows:
            mine = by_parent.get(connection.key(row), [])
            child_rows.extend(mine)
            gids.extend([connection.gid(row)] * len(mine))
        if child_rows:
            _by_level(conn, child, child_rows, gids, batch)


def export_batch(conn: Connection, root: ExportRoot, rows: list[Row], group_objects: bool,
                 batch: _Batch | None = None) -> _Batch:
    """The lines of ``rows`` and their nested connections, added to ``batch`` (a new one when None)."""
    batch = batch if batch is not None else _Batch()
    if group_objects:
        _grouped(conn, root, rows, None, batch)
    else:
        _by_level(conn, root, rows, [None] * len(rows), batch)
    return batch


class ExportWork:
    """An export's chunks: top-level rows ``chunk_lines`` at a time with their nested connections, a chunk
    closing at ``chunk_lines`` x OBJECTS_PER_CHUNK_LINE objects. A chunk record keeps the key of its last top-level
    row (``resume_offset``), so a restart continues after it."""

    def __init__(self, db: Database, op: ops.Operation, root: ExportRoot, chunk_lines: int) -> None:
        self.db, self.op, self.root = db, op, root
        self.size = max(1, chunk_lines)

    def pieces(self, done: list[ops.Chunk]) -> Iterator[tuple[bytes, ops.Chunk]]:
        with self.db.read() as conn:
            after = self.root.row_by_key(conn, done[-1].resume_offset) if done else None
        if done and after is None:
            raise RuntimeError("the row this export stopped after no longer exists; cannot resume in order")
        index = len(done)
        roots_done = done[-1].last_line + 1 if done else 0
        exhausted = False
        while not exhausted:
            batch = _Batch()
            roots = 0
            with self.db.read() as conn:
                while batch.objects < self.size * OBJECTS_PER_CHUNK_LINE:
                    rows = self.root.page(conn, after, self.size)
                    if rows:
                        export_batch(conn, self.root, rows, self.op.group_objects, batch)
                        roots += len(rows)
                        after = rows[-1]
                    if len(rows) < self.size:
                        exhausted = True
                        break
            if not roots:
                return
            data, objects = batch.data(), batch.objects
            del batch
            yield data, ops.Chunk(
                index=index,
                first_line=roots_done,
                last_line=roots_done + roots - 1,
                object_count=objects,
                root_object_count=roots,
                segment_key=segment_key(self.op.shop_id, self.op.id, index),
                segment_size=len(data),
                resume_offset=self.root.key(after),
            )
            index += 1
            roots_done += roots

    def write(self, conn: Connection, piece: tuple[bytes, ops.Chunk], index: int) -> tuple[bytes, ops.Chunk]:
        return piece
