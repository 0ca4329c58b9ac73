"""The engine's port to the emulator's rules (progression and faults): the runner and the claim ask it whether an
operation may start, may run its next lines, must linger CANCELING, fails or crashes here; reads of an operation
tell it of a poll. Every answer is read from the database, so every process of a deployment follows the same
rules. An engine without one (``BulkEngine.emulation is None``) runs as Shopify does."""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from bulkops.clock import Clock
from bulkops.db.database import Database
from bulkops.engine import faults, progression
from bulkops.engine import operations as ops
from bulkops.engine.composing import OPERATIONS_PREFIX
from bulkops.engine.emulation_rules import in_play
from bulkops.engine.faults import FaultType, Target
from bulkops.engine.lifecycle import TERMINAL, ErrorCode, OperationType, Status
from bulkops.engine.progression import Mode

log = logging.getLogger(__name__)

POLL_S = 0.02
"""How often a held operation (or a read waiting for one) looks at the database again."""

CRASH_EXIT_CODE = 75


class Faulted(Exception):
    """A FAIL_OPERATION fault (or ``advance`` to FAILED): the operation ends FAILED with this code."""

    def __init__(self, code: ErrorCode, partial: bool) -> None:
        super().__init__(code.value)
        self.code, self.partial = code, partial


def _target(conn: Connection, op: ops.Operation) -> Target:
    return Target(ops.shop_domain(conn, op.shop_id), op.type, op.id)


def _file_target(conn: Connection, key: str) -> Target:
    """Whose file ``key`` is: staged uploads are ``tmp/<shop id>/...``, results
    ``bulk-operations/<shop id>/<operation id>/...``."""
    parts = key.split("/")
    if len(parts) < 3 or not parts[1].isdigit():
        return Target(None)
    shop = ops.shop_domain(conn, int(parts[1]))
    if parts[0] != OPERATIONS_PREFIX.rstrip("/") or not parts[2].isdigit():
        return Target(shop)
    op = ops.get(conn, int(parts[2]))
    return Target(shop, op.type if op else None, int(parts[2]))


@dataclass
class Emulation:
    db: Database
    clock: Clock
    read_wait_s: float = 10.0
    """The longest a read waits for an ``immediate`` or ``polls`` operation to take its step."""

    def _rule(self, conn: Connection, op: ops.Operation) -> progression.Progression:
        target = _target(conn, op)
        assert op.type is not None
        return progression.progression_for(conn, target.shop, op.type, op.id)

    def active(self) -> bool:
        with self.db.read() as conn:
            return in_play(conn)

    # ---- the runner's questions ------------------------------------------------------------------
    def piece_size(self, op: ops.Operation, default: int) -> int:
        """Lines per chunk: fewer while paced, and cut where a fault strikes (a 5-line partial file)."""
        with self.db.read() as conn:
            if not in_play(conn, op.id):
                return default
            size = self._rule(conn, op).piece_size(default)
            for mark in faults.split_marks(conn, _target(conn, op)):
                if mark > 0:
                    size = math.gcd(size, mark)
        return size

    def may_start(self, op: ops.Operation) -> bool:
        """False while a start delay or a STUCK CREATED fault keeps it CREATED."""
        with self.db.read() as conn:
            if not in_play(conn, op.id):
                return True
            if progression.state_of(conn, op.id).forced_status is not None:
                return True
            if "CREATED" in faults.stuck_statuses(conn, _target(conn, op)):
                return False
            delay = self._rule(conn, op).start_delay_s
        return (self.clock.now() - op.created_at).total_seconds() >= delay

    def may_run(self, op: ops.Operation, lines_done: int) -> bool:
        """Whether the next lines may run now (raises Faulted once ``advance`` told it to fail)."""
        with self.db.read() as conn:
            if not in_play(conn, op.id):
                return True
            state = progression.state_of(conn, op.id)
            if state.forced_status == Status.FAILED.value:
                raise Faulted(ErrorCode.INTERNAL_SERVER_ERROR, partial=True)
            if state.forced_status is None and "RUNNING" in faults.stuck_statuses(conn, _target(conn, op)):
                return False
            rule = self._rule(conn, op)
            current = ops.get(conn, op.id)
        started = current.started_at if current else None
        return progression.allowance(rule, state, started, self.clock.now()) > lines_done

    def lingers(self, op: ops.Operation, noticed_at: datetime) -> bool:
        """Whether a canceled operation stays CANCELING a while longer (cancelDelaySeconds, STUCK CANCELING)."""
        with self.db.read() as conn:
            if not in_play(conn, op.id):
                return False
            if progression.state_of(conn, op.id).forced_status == Status.CANCELED.value:
                return False
            if "CANCELING" in faults.stuck_statuses(conn, _target(conn, op)):
                return True
            delay = self._rule(conn, op).cancel_delay_s
        return (self.clock.now() - noticed_at).total_seconds() < delay

    def line_errors(self, conn: Connection, op: ops.Operation, numbers: list[int]) -> dict[int, dict[str, Any]]:
        """Inside the chunk's transaction (the faults' counts commit or roll back with it)."""
        if not in_play(conn):
            return {}
        return faults.line_errors(conn, _target(conn, op), numbers)

    def after_lines(self, op: ops.Operation, before: int, after: int) -> None:
        """The operation's lines went from ``before`` to ``after``: a CRASH_WORKER fault there ends this process
        at once (after recording that it fired), a FAIL_OPERATION raises Faulted."""
        with self.db.read() as conn:
            if not in_play(conn):
                return
        with self.db.write() as conn:
            target = _target(conn, op)
            crash = faults.crossed(conn, FaultType.CRASH_WORKER, target, before, after)
            failure = None if crash else faults.crossed(conn, FaultType.FAIL_OPERATION, target, before, after)
        if crash is not None:
            log.warning("CRASH_WORKER fault: the process exits after %s lines of bulk operation %s", after, op.id)
            logging.shutdown()
            os._exit(CRASH_EXIT_CODE)
        if failure is not None:
            body = failure.body
            raise Faulted(ErrorCode(body.get("errorCode", "INTERNAL_SERVER_ERROR")),
                          partial=bool(body.get("partialData", True)))

    def strike(self, fault: FaultType, shop: str | None = None) -> dict[str, Any] | None:
        """A request-level fault (GRAPHQL_HTTP, LATENCY, UPLOAD_REJECT, DOWNLOAD_FAIL, WEBHOOK_FAIL) that
        strikes this request of ``shop``: its parameters, or None (one small read when none is set)."""
        return self.strikes(shop, fault).get(fault)

    def strike_file(self, fault: FaultType, key: str) -> dict[str, Any] | None:
        """UPLOAD_REJECT or DOWNLOAD_FAIL for the stored file at ``key``, matched by the shop (and the operation)
        its key names."""
        with self.db.read() as conn:
            if not in_play(conn):
                return None
            target = _file_target(conn, key)
        return self.strikes(target, fault).get(fault)

    def strikes(self, shop: str | Target | None, *kinds: FaultType) -> dict[FaultType, dict[str, Any]]:
        """The faults of ``kinds`` that strike this request (of ``shop``, or on a ``Target``), each drawn once."""
        target = shop if isinstance(shop, Target) else Target(shop)
        with self.db.read() as conn:
            if not in_play(conn):
                return {}
            kinds = tuple(kind for kind in kinds if faults.live(conn, kind, target))
        if not kinds:
            return {}
        struck: dict[FaultType, dict[str, Any]] = {}
        with self.db.write() as conn:
            for kind in kinds:
                rule = faults.fire(conn, kind, target)
                if rule is not None:
                    struck[kind] = rule.body
        return struck

    # ---- reads of operations ---------------------------------------------------------------------
    def observe(self, shop_id: int, op_type: OperationType | None = None, operation_id: int | None = None) -> None:
        """A client read the shop's operations (one, or the latest of a type): each unfinished one under a
        ``polls`` rule counts a poll, and the read waits (boundedly) for it to take the step that poll gave;
        one under ``immediate`` is waited for until done."""
        with self.db.read() as conn:
            if not in_play(conn) or not progression.any_rules(conn):
                return
            watched = [(op, self._rule(conn, op)) for op in ops.unfinished_of_shop(conn, shop_id, op_type, operation_id)]
        watched = [(op, rule) for op, rule in watched if rule.mode in (Mode.POLLS, Mode.IMMEDIATE)]
        if not watched:
            return
        with self.db.write() as conn:
            for op, rule in watched:
                if rule.mode is Mode.POLLS:
                    progression.note_read(conn, op.id)
        deadline = time.monotonic() + self.read_wait_s
        for op, rule in watched:
            while time.monotonic() < deadline and self._moving(op, rule):
                time.sleep(POLL_S)

    def _moving(self, op: ops.Operation, rule: progression.Progression) -> bool:
        """Whether the operation still has a step to take that a read should wait for."""
        with self.db.read() as conn:
            current = ops.get(conn, op.id)
            if current is None or current.status not in (Status.CREATED, Status.RUNNING):
                return False
            if current.status is Status.CREATED and not self.may_start(current):
                return False
            if rule.mode is Mode.IMMEDIATE:
                return True
            state = progression.state_of(conn, op.id)
            done = ops.lines_done(conn, op.id)
        try:
            if current.status is Status.RUNNING and not self.may_run(current, done):
                return False
        except Faulted:
            return True  # told to fail: its runner ends it at once
        return progression.allowance(rule, state, current.started_at, self.clock.now()) > done

    # ---- advance ---------------------------------------------------------------------------------
    def grant(self, operation_id: int, lines: int) -> None:
        with self.db.write() as conn:
            progression.grant_lines(conn, operation_id, lines)

    def force(self, operation_id: int, status: Status) -> None:
        with self.db.write() as conn:
            progression.force_status(conn, operation_id, status.value)

    def wait_for(self, operation_id: int, lines: int | None = None, status: Status | None = None) -> None:
        """Until the operation has done ``lines`` lines (or finished) or reached ``status``, within the read
        wait: ``advance`` answers once its effect is visible."""
        deadline = time.monotonic() + self.read_wait_s
        while time.monotonic() < deadline:
            with self.db.read() as conn:
                current = ops.get(conn, operation_id)
                done = ops.lines_done(conn, operation_id)
            if current is None or (status is not None and (current.status is status or current.status in TERMINAL)):
                return
            if status is None and (current.status not in (Status.CREATED, Status.RUNNING) or done >= (lines or 0)):
                return
            if current.status is Status.CREATED and not self.may_start(current):
                return  # held CREATED (a start delay, STUCK): the lines run once it starts
            time.sleep(POLL_S)
