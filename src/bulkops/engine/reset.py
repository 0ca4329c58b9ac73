"""Reset a deployment between tests (``POST /__bulkops/reset``): stop the work in flight, delete a scope's rows
and stored files, and restart id counters, so the next test sees an empty shop whose first product is id 1.

Scopes: ``operations`` (staged uploads, bulk operations, their files), ``webhooks`` (subscriptions, deliveries),
``shop_data`` (every other table a shop owns: products, customers...), and ``all``: those three plus every
table of the control plane (virtual clock, request log, progression rules, faults), whatever it is. Shops, their
tokens and the deployment's own records are never deleted. With a shop, only that shop's rows and files go
(the control plane's tables are the deployment's, and stay)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Connection, Table, delete, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from bulkops.db.tables import metadata, shops
from bulkops.domain.shops.rules import seed_channels
from bulkops.engine import operations as ops
from bulkops.engine.engine import BulkEngine
from bulkops.engine.lifecycle import TERMINAL

log = logging.getLogger(__name__)

DRAIN_WAIT_S = 5.0


class Scope(StrEnum):
    ALL = "all"
    OPERATIONS = "operations"
    SHOP_DATA = "shop_data"
    WEBHOOKS = "webhooks"


KEPT = frozenset({"shops", "deployment", "server_secrets", "bulk_workers"})
"""Never reset: the shops (a test keeps its token), the deployment's record and secrets, live workers."""
OPERATION_TABLES = frozenset({"staged_uploads", "bulk_operations", "bulk_chunks", "emulated_operations"})
"""``emulated_operations`` names operations by id without a foreign key: it goes with them, or a restarted id
would inherit a deleted operation's polls and grants."""
WEBHOOK_TABLES = frozenset({"webhook_subscriptions", "webhook_deliveries", "webhook_attempts"})
FILE_PREFIXES = ("bulk-operations/", "tmp/")
"""Where operations keep their files: results and segments, and staged uploads (``tmp/<shop id>/...``)."""


@dataclass
class ResetReport:
    rows: dict[str, int] = field(default_factory=dict)
    """Rows deleted, by table (tables that had none are left out)."""
    files: int = 0
    canceled: int = 0
    """Operations in flight that were canceled first."""
    undrained: int = 0
    """Of those, how many had not stopped after the wait (their rows were deleted all the same)."""


def tables_of(scope: Scope, shop_owned: bool = False) -> list[Table]:
    """The scope's tables, children before parents (the order to delete them in)."""
    chosen = [t for t in reversed(metadata.sorted_tables) if t.name not in KEPT and _in_scope(t, scope)]
    return [t for t in chosen if not shop_owned or owner_column(t) is not None]


def _in_scope(table: Table, scope: Scope) -> bool:
    if scope is Scope.ALL:
        return True
    if scope is Scope.OPERATIONS:
        return table.name in OPERATION_TABLES
    if scope is Scope.WEBHOOKS:
        return table.name in WEBHOOK_TABLES
    return owner_column(table) is not None and table.name not in OPERATION_TABLES | WEBHOOK_TABLES


def owner_column(table: Table) -> tuple[str, Table | None] | None:
    """How a table's rows name their shop: its own ``shop_id`` (``(column, None)``), or a foreign key to a table
    that has one (``(column, parent)``); None: the rows are no shop's."""
    if "shop_id" in table.c:
        return "shop_id", None
    for fk in table.foreign_keys:
        parent = fk.column.table
        if "shop_id" in parent.c and fk.column.name == "id":
            return fk.parent.name, parent
    return None


def _owned_by(table: Table, shop_id: int) -> ColumnElement[bool]:
    owner = owner_column(table)
    assert owner is not None
    column, parent = owner
    if parent is None:
        return table.c[column] == shop_id
    return table.c[column].in_(select(parent.c.id).where(parent.c.shop_id == shop_id))


def delete_rows(conn: Connection, tables: list[Table], shop_id: int | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables:
        stmt = delete(table) if shop_id is None else delete(table).where(_owned_by(table, shop_id))
        deleted = conn.execute(stmt).rowcount
        if deleted:
            counts[str(table.name)] = deleted
    return counts


def restart_ids(conn: Connection, tables: list[Table]) -> None:
    """Each table's next id is one past its highest (1 when empty), so a reset shop numbers from 1 again."""
    for table in tables:
        if "id" not in table.c or not table.c.id.autoincrement or not table.c.id.primary_key:
            continue
        if conn.dialect.name == "postgresql":
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
            if sequence:
                top = conn.execute(select(func.max(table.c.id))).scalar()
                conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                             {"s": sequence, "v": top or 1, "called": top is not None})
        elif conn.dialect.name == "sqlite" and _has_sqlite_sequence(conn):
            conn.execute(text("UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(id), 0) FROM "
                              f'"{table.name}") WHERE name = :t'), {"t": table.name})


def _has_sqlite_sequence(conn: Connection) -> bool:
    found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first()
    return found is not None


def drain(engine: BulkEngine, shop_id: int | None, wait_s: float = DRAIN_WAIT_S,
          pause: Callable[[float], None] = time.sleep) -> tuple[int, int]:
    """Cancel the operations in flight (of one shop, or all) and wait up to ``wait_s`` for their workers to stop:
    (canceled, still running). Real time: this waits for threads and processes, not for the deployment's clock."""
    with engine.db.write() as conn:
        flying = [op for op in ops.unfinished(conn) if shop_id is None or op.shop_id == shop_id]
        for op in flying:
            engine.cancel(conn, op.shop_id, op.id)
    deadline = time.monotonic() + wait_s
    waiting = [op.id for op in flying]
    while waiting and time.monotonic() < deadline:
        pause(0.05)
        with engine.db.read() as conn:
            waiting = [op_id for op_id in waiting if ops.status_of(conn, op_id) not in TERMINAL]
    return len(flying), len(waiting)


def delete_files(engine: BulkEngine, shop_id: int | None) -> int:
    """The operations' stored files (of one shop, or all); a file that cannot be deleted is logged and left."""
    deleted = 0
    for prefix in FILE_PREFIXES:
        folder = prefix if shop_id is None else f"{prefix}{shop_id}/"
        for key in engine.store.keys(folder):
            try:
                engine.store.delete(key)
                deleted += 1
            except Exception:
                log.warning("reset could not delete %s", key, exc_info=True)
    return deleted


def _shop_ids(conn: Connection, shop_id: int | None) -> list[int]:
    if shop_id is not None:
        return [shop_id]
    return list(conn.execute(select(shops.c.id).order_by(shops.c.id)).scalars())


def reset(engine: BulkEngine, scope: Scope, shop_id: int | None = None, wait_s: float = DRAIN_WAIT_S
          ) -> ResetReport:
    """Stop the work the scope covers, then delete its rows and files and restart its id counters; each shop
    gets back what a new shop starts with (sales channels, price list, location)."""
    report = ResetReport()
    if scope is not Scope.WEBHOOKS:
        report.canceled, report.undrained = drain(engine, shop_id, wait_s)
    tables = tables_of(scope, shop_owned=shop_id is not None)
    now = engine.clock.now()
    with engine.db.write() as conn:
        report.rows = delete_rows(conn, tables, shop_id)
        restart_ids(conn, tables)
        if scope in (Scope.ALL, Scope.SHOP_DATA):
            for owner in _shop_ids(conn, shop_id):
                seed_channels(conn, owner, now)
    if scope in (Scope.ALL, Scope.OPERATIONS):
        report.files = delete_files(engine, shop_id)
    return report


