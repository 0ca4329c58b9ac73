"""Progression rules: how fast an operation moves, chosen per shop, type or operation by the control plane.

``realtime`` (as fast as the worker goes), ``immediate`` (done before the next read of it), ``rate`` (N lines a
second on the injected clock), ``manual`` (only the lines ``advance`` grants) and ``polls`` (``linesPerStep`` lines
per ``pollsPerStep`` reads). ``startDelaySeconds`` keeps an operation CREATED, ``cancelDelaySeconds`` keeps a
canceled one CANCELING. A "line" is a line of an import's file or a top-level row of an export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from bulkops.db.tables import emulated_operations
from bulkops.engine.emulation_rules import (
    PROGRESSION,
    Match,
    RuleError,
    StoredRule,
    most_specific,
    parse_match,
    replace_rules,
    rules_of,
)
from bulkops.engine.lifecycle import OperationType


class Mode(StrEnum):
    REALTIME = "realtime"
    IMMEDIATE = "immediate"
    RATE = "rate"
    MANUAL = "manual"
    POLLS = "polls"


PACED = frozenset({Mode.RATE, Mode.MANUAL, Mode.POLLS})
"""Modes that hold an operation's lines back: it runs a line (or a few, at a rate) per chunk."""

_NUMBERS = {"linesPerSecond": float, "pollsPerStep": int, "linesPerStep": int, "startDelaySeconds": float,
            "cancelDelaySeconds": float}


@dataclass(frozen=True)
class Progression:
    mode: Mode = Mode.REALTIME
    lines_per_second: float = 0.0
    polls_per_step: int = 1
    lines_per_step: int = 1
    start_delay_s: float = 0.0
    cancel_delay_s: float = 0.0

    @classmethod
    def of(cls, body: dict[str, Any]) -> Progression:
        return cls(Mode(body.get("mode", "realtime")), float(body.get("linesPerSecond", 0)),
                   int(body.get("pollsPerStep", 1)), int(body.get("linesPerStep", 1)),
                   float(body.get("startDelaySeconds", 0)), float(body.get("cancelDelaySeconds", 0)))

    def piece_size(self, default: int) -> int:
        """Lines per chunk: one while paced (a rate runs a tenth of a second's worth), else ``default``."""
        if self.mode is Mode.RATE:
            return max(1, min(default, int(self.lines_per_second / 10)))
        return 1 if self.mode in PACED else default


REALTIME = Progression()


@dataclass(frozen=True)
class OperationState:
    reads: int = 0
    granted_lines: int = 0
    forced_status: str | None = None


def parse_rule(raw: object) -> tuple[Match, None, dict[str, Any], None]:
    """A rule as the control plane receives it, checked; refused with a RuleError saying what is wrong."""
    if not isinstance(raw, dict):
        raise RuleError("each progression rule must be an object")
    unknown = set(raw) - {"match", "mode", *_NUMBERS}
    if unknown:
        raise RuleError(f"unknown progression rule keys: {', '.join(sorted(unknown))}")
    mode = raw.get("mode", "realtime")
    if mode not in {m.value for m in Mode}:
        raise RuleError(f"mode must be one of {', '.join(m.value for m in Mode)}")
    body: dict[str, Any] = {"mode": mode}
    for key, kind in _NUMBERS.items():
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise RuleError(f"{key} must be a number >= 0")
            body[key] = kind(value)
    if mode == Mode.RATE and not body.get("linesPerSecond"):
        raise RuleError("mode rate needs linesPerSecond > 0")
    if body.get("pollsPerStep") == 0 or body.get("linesPerStep") == 0:
        raise RuleError("pollsPerStep and linesPerStep must be at least 1")
    return parse_match(raw.get("match")), None, body, None


def put_rules(conn: Connection, raws: list[Any], now: datetime) -> list[dict[str, Any]]:
    parsed = [parse_rule(raw) for raw in raws]
    return [describe(rule) for rule in replace_rules(conn, PROGRESSION, parsed, now)]


def list_rules(conn: Connection) -> list[dict[str, Any]]:
    return [describe(rule) for rule in rules_of(conn, PROGRESSION)]


def describe(rule: StoredRule) -> dict[str, Any]:
    return {"id": rule.id, "match": rule.match.as_dict(), **rule.body}


def progression_for(conn: Connection, shop: str | None, op_type: OperationType, operation_id: int) -> Progression:
    """The most specific rule for the operation, or ``realtime``."""
    rule = most_specific(rules_of(conn, PROGRESSION), shop, op_type, operation_id)
    return Progression.of(rule.body) if rule else REALTIME


def any_rules(conn: Connection) -> bool:
    return bool(rules_of(conn, PROGRESSION))


def state_of(conn: Connection, operation_id: int) -> OperationState:
    row = conn.execute(select(emulated_operations).where(emulated_operations.c.operation_id == operation_id)).first()
    return OperationState(row.reads, row.granted_lines, row.forced_status) if row else OperationState()


def _bump(conn: Connection, operation_id: int, **values: Any) -> None:
    """Add to (or set) the operation's emulation state, making its row on first use."""
    changed = conn.execute(update(emulated_operations).where(emulated_operations.c.operation_id == operation_id)
                           .values(**values)).rowcount
    if changed:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(emulated_operations).values(operation_id=operation_id, reads=0, granted_lines=0))
    except IntegrityError:
        pass
    conn.execute(update(emulated_operations).where(emulated_operations.c.operation_id == operation_id)
                 .values(**values))


def note_read(conn: Connection, operation_id: int) -> None:
    _bump(conn, operation_id, reads=emulated_operations.c.reads + 1)


def grant_lines(conn: Connection, operation_id: int, lines: int) -> None:
    _bump(conn, operation_id, granted_lines=emulated_operations.c.granted_lines + lines)


def force_status(conn: Connection, operation_id: int, status: str) -> None:
    _bump(conn, operation_id, forced_status=status)


def allowance(rule: Progression, state: OperationState, started_at: datetime | None, now: datetime) -> float:
    """How many lines the operation may have done by now (``inf``: no limit)."""
    if state.forced_status is not None or rule.mode not in PACED:
        return math.inf
    granted = float(state.granted_lines)
    if rule.mode is Mode.RATE:
        elapsed = (now - started_at).total_seconds() if started_at else 0.0
        return granted + math.floor(rule.lines_per_second * max(0.0, elapsed))
    if rule.mode is Mode.POLLS:
        return granted + (state.reads // rule.polls_per_step) * rule.lines_per_step
    return granted
