"""Seeded faults the control plane injects: each rule has a type, its parameters, an optional ``match`` (shop,
type, operationId), ``times`` (how often it may fire; unlimited when left out, once for ``CRASH_WORKER``),
``probability`` and ``seed``. Draws are deterministic: the n-th draw of a rule with seed s is always the same (a
``LINE_ERROR``'s draw is keyed by the line's number instead), so a suite that sets the same faults sees the
same failures."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from bulkops.engine.emulation_rules import (
    FAULT,
    Match,
    RuleError,
    StoredRule,
    count_use,
    parse_match,
    replace_rules,
    rules_of,
)
from bulkops.engine.lifecycle import ErrorCode, OperationType
from bulkops.protocol.lines import line_error


class FaultType(StrEnum):
    FAIL_OPERATION = "FAIL_OPERATION"
    LINE_ERROR = "LINE_ERROR"
    CRASH_WORKER = "CRASH_WORKER"
    STUCK = "STUCK"
    GRAPHQL_HTTP = "GRAPHQL_HTTP"
    UPLOAD_REJECT = "UPLOAD_REJECT"
    DOWNLOAD_FAIL = "DOWNLOAD_FAIL"
    WEBHOOK_FAIL = "WEBHOOK_FAIL"
    LATENCY = "LATENCY"


AT_LINE = frozenset({FaultType.FAIL_OPERATION, FaultType.CRASH_WORKER})
"""Faults that strike once an operation has done ``afterLines`` lines (its chunks are cut there)."""

COMMON = {"type", "match", "times", "probability", "seed"}
PARAMETERS: dict[FaultType, set[str]] = {
    FaultType.FAIL_OPERATION: {"afterLines", "errorCode", "partialData"},
    FaultType.LINE_ERROR: {"lines", "error", "message"},
    FaultType.CRASH_WORKER: {"afterLines"},
    FaultType.STUCK: {"status"},
    FaultType.GRAPHQL_HTTP: {"status"},
    FaultType.UPLOAD_REJECT: {"status"},
    FaultType.DOWNLOAD_FAIL: {"status"},
    FaultType.WEBHOOK_FAIL: {"status", "timeout"},
    FaultType.LATENCY: {"ms"},
}
STUCK_STATUSES = ("CREATED", "RUNNING", "CANCELING")
LINE_MESSAGES = {"THROTTLED": "Throttled",
                 "INTERNAL_SERVER_ERROR": "Internal error. Looks like something went wrong on our end."}


def _count(raw: dict[str, Any], key: str, default: int | None = None) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(f"{key} must be a whole number >= 0")
    return value


def _check_status(fault: FaultType, raw: dict[str, Any]) -> None:
    status = raw.get("status")
    if fault is FaultType.GRAPHQL_HTTP and status not in (429, 500, 503):
        raise RuleError("GRAPHQL_HTTP needs status 429, 500 or 503")
    if fault is FaultType.STUCK and status not in STUCK_STATUSES:
        raise RuleError(f"STUCK needs status {', '.join(STUCK_STATUSES)}")
    if fault in (FaultType.UPLOAD_REJECT, FaultType.DOWNLOAD_FAIL, FaultType.WEBHOOK_FAIL) and status is not None \
            and not (isinstance(status, int) and 400 <= status <= 599):
        raise RuleError(f"{fault.value} status must be an HTTP error status (400-599)")


def _check_parameters(fault: FaultType, raw: dict[str, Any]) -> None:
    _check_status(fault, raw)
    if fault in AT_LINE and _count(raw, "afterLines") is None:
        raise RuleError(f"{fault.value} needs afterLines")
    if fault is FaultType.FAIL_OPERATION and raw.get("errorCode", "INTERNAL_SERVER_ERROR") not in ErrorCode.__members__:
        raise RuleError(f"errorCode must be one of {', '.join(ErrorCode.__members__)}")
    if fault is FaultType.LINE_ERROR:
        lines = raw.get("lines")
        if lines is not None and not (isinstance(lines, list) and all(isinstance(n, int) for n in lines)):
            raise RuleError("LINE_ERROR lines must be a list of line numbers (__lineNumber, from 0)")
        if lines is None and "probability" not in raw:
            raise RuleError("LINE_ERROR needs lines or probability")
    if fault is FaultType.LATENCY and _count(raw, "ms") is None:
        raise RuleError("LATENCY needs ms")
    if fault is FaultType.WEBHOOK_FAIL and raw.get("status") is None and not raw.get("timeout"):
        raise RuleError("WEBHOOK_FAIL needs status or timeout")


def parse_fault(raw: object) -> tuple[Match, str, dict[str, Any], int | None]:
    """A fault as the control plane receives it, checked; refused with a RuleError saying what is wrong."""
    if not isinstance(raw, dict):
        raise RuleError("each fault must be an object with a type")
    if raw.get("type") not in FaultType.__members__:
        raise RuleError(f"fault type must be one of {', '.join(FaultType.__members__)}")
    fault = FaultType(raw["type"])
    unknown = set(raw) - COMMON - PARAMETERS[fault]
    if unknown:
        raise RuleError(f"{fault.value} does not take {', '.join(sorted(unknown))}")
    probability = raw.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 <= probability <= 1:
        raise RuleError("probability must be a number from 0 to 1")
    _count(raw, "seed", 0)
    _check_parameters(fault, raw)
    times = _count(raw, "times", 1 if fault is FaultType.CRASH_WORKER else None)
    body = {k: v for k, v in raw.items() if k not in ("match", "times")}
    return parse_match(raw.get("match")), fault.value, body, times


def put_faults(conn: Connection, raws: list[Any], now: datetime) -> list[dict[str, Any]]:
    parsed = [parse_fault(raw) for raw in raws]
    return [describe(rule) for rule in replace_rules(conn, FAULT, parsed, now)]


def list_faults(conn: Connection) -> list[dict[str, Any]]:
    return [describe(rule) for rule in rules_of(conn, FAULT)]


def describe(rule: StoredRule) -> dict[str, Any]:
    return {"id": rule.id, **rule.body, "match": rule.match.as_dict(), "times": rule.times, "fired": rule.fired}


def _draw(rule: StoredRule, n: int) -> bool:
    probability = float(rule.body.get("probability", 1.0))
    if probability >= 1:
        return True
    return random.Random(f"{rule.body.get('seed', 0)}:{n}").random() < probability


@dataclass(frozen=True)
class Target:
    """What a fault is checked against: the request's shop, and the operation when there is one."""

    shop: str | None
    type: OperationType | None = None
    operation_id: int | None = None


def live(conn: Connection, fault: FaultType, target: Target) -> list[StoredRule]:
    """The unspent faults of this type that match ``target``, in the order they were set."""
    return [rule for rule in rules_of(conn, FAULT)
            if rule.fault_type == fault.value and not rule.spent()
            and rule.match.matches(target.shop, target.type, target.operation_id)]


def fire(conn: Connection, fault: FaultType, target: Target) -> StoredRule | None:
    """Draw each live fault of this type once (counted); the first that strikes, or None."""
    for rule in live(conn, fault, target):
        hit = _draw(rule, rule.draws)
        count_use(conn, rule.id, fired=int(hit), draws=1)
        if hit:
            return rule
    return None


def crossed(conn: Connection, fault: FaultType, target: Target, before: int, after: int) -> StoredRule | None:
    """A fault of ``fault`` whose ``afterLines`` falls in (before, after]: the lines just done reached it."""
    for rule in live(conn, fault, target):
        mark = int(rule.body["afterLines"])
        if before < mark <= after:
            hit = _draw(rule, rule.draws)
            count_use(conn, rule.id, fired=int(hit), draws=1)
            if hit:
                return rule
    return None


def split_marks(conn: Connection, target: Target) -> list[int]:
    """The ``afterLines`` of faults that will strike this operation (its chunks end there)."""
    return [int(rule.body["afterLines"]) for fault in AT_LINE for rule in live(conn, fault, target)]


def stuck_statuses(conn: Connection, target: Target) -> set[str]:
    """Statuses a STUCK fault holds this operation at (for as long as the fault is set; ``times`` is not used)."""
    return {str(rule.body["status"]) for rule in rules_of(conn, FAULT)
            if rule.fault_type == FaultType.STUCK.value
            and rule.match.matches(target.shop, target.type, target.operation_id)}


def line_errors(conn: Connection, target: Target, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The result lines LINE_ERROR faults put in place of these lines (by ``__lineNumber``): such a line does not
    run, as a throttled one would not have."""
    out: dict[int, dict[str, Any]] = {}
    for rule in live(conn, FaultType.LINE_ERROR, target):
        wanted = set(rule.body["lines"]) if rule.body.get("lines") is not None else None
        left = None if rule.times is None else rule.times - rule.fired
        code = str(rule.body.get("error", "THROTTLED"))
        message = str(rule.body.get("message") or LINE_MESSAGES.get(code, code.replace("_", " ").capitalize()))
        hits = 0
        for number in numbers:
            if number in out or (left is not None and hits >= left):
                continue
            if (number in wanted) if wanted is not None else _draw(rule, number):
                out[number] = line_error(message, code)
                hits += 1
        if hits:
            count_use(conn, rule.id, fired=hits, draws=0)
    return out
