"""The emulator's rules (progression and faults), stored in the database so every process of a deployment
(``serve``, Celery workers) follows the same ones: what they match, how specific a match is, and their storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from bulkops.db.tables import emulated_operations, emulation_rules
from bulkops.engine.lifecycle import OperationType

PROGRESSION = "progression"
FAULT = "fault"
SHOP_SUFFIX = ".myshopify.com"


class RuleError(ValueError):
    """A rule the control plane refuses, with the message its answer carries (HTTP 400)."""


def _shop_name(domain: str) -> str:
    return domain.removesuffix(SHOP_SUFFIX)


@dataclass(frozen=True)
class Match:
    """Which operations (or requests) a rule applies to; a field left out matches any."""

    shop: str | None = None
    type: OperationType | None = None
    operation_id: int | None = None

    @property
    def specificity(self) -> int:
        """An operation id beats a shop, which beats a type (most specific rule wins)."""
        return (4 if self.operation_id is not None else 0) + (2 if self.shop else 0) + (1 if self.type else 0)

    def matches(self, shop: str | None, op_type: OperationType | None, operation_id: int | None) -> bool:
        if self.shop is not None and (shop is None or _shop_name(self.shop) != _shop_name(shop)):
            return False
        if self.type is not None and self.type is not op_type:
            return False
        return self.operation_id is None or self.operation_id == operation_id

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.shop is not None:
            out["shop"] = self.shop
        if self.type is not None:
            out["type"] = self.type.value
        if self.operation_id is not None:
            out["operationId"] = f"gid://shopify/BulkOperation/{self.operation_id}"
        return out


def operation_number(raw: object) -> int:
    """An operation's number from its gid (``gid://shopify/BulkOperation/5``) or the bare number."""
    text = str(raw).rsplit("/", 1)[-1]
    if not text.isdigit():
        raise RuleError(f"operationId {raw!r} is not a BulkOperation id")
    return int(text)


def parse_match(raw: object) -> Match:
    if raw is None:
        return Match()
    if not isinstance(raw, dict):
        raise RuleError("match must be an object with shop, type and/or operationId")
    unknown = set(raw) - {"shop", "type", "operationId"}
    if unknown:
        raise RuleError(f"match has unknown keys: {', '.join(sorted(unknown))}")
    shop, kind, number = raw.get("shop"), raw.get("type"), raw.get("operationId")
    if shop is not None and not isinstance(shop, str):
        raise RuleError("match.shop must be a shop's domain or name")
    if kind is not None and kind not in OperationType.__members__:
        raise RuleError("match.type must be QUERY or MUTATION")
    return Match(shop, OperationType(kind) if kind else None,
                 operation_number(number) if number is not None else None)


@dataclass(frozen=True)
class StoredRule:
    id: int
    match: Match
    body: dict[str, Any]
    fault_type: str | None
    times: int | None
    fired: int
    draws: int

    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times


def _from_row(row: Any) -> StoredRule:
    kind = OperationType(row.operation_type) if row.operation_type else None
    return StoredRule(row.id, Match(row.shop, kind, row.operation_id), dict(row.body), row.fault_type, row.times,
                      row.fired, row.draws)


def rules_of(conn: Connection, kind: str) -> list[StoredRule]:
    """The rules of ``kind`` in the order they were set."""
    rows = conn.execute(select(emulation_rules).where(emulation_rules.c.kind == kind).order_by(emulation_rules.c.id))
    return [_from_row(row) for row in rows]


def replace_rules(conn: Connection, kind: str, rules: Sequence[tuple[Match, str | None, dict[str, Any], int | None]],
                  now: datetime) -> list[StoredRule]:
    """The rules of ``kind`` become exactly ``rules`` (match, fault type, body, times)."""
    conn.execute(delete(emulation_rules).where(emulation_rules.c.kind == kind))
    for match, fault_type, body, times in rules:
        conn.execute(insert(emulation_rules).values(
            kind=kind, fault_type=fault_type, shop=match.shop,
            operation_type=match.type.value if match.type else None, operation_id=match.operation_id,
            body=body, times=times, fired=0, draws=0, created_at=now))
    return rules_of(conn, kind)


def clear_rules(conn: Connection, kind: str | None = None) -> int:
    """Remove the rules of ``kind`` (every kind, and every operation's emulation state, when None)."""
    stmt = delete(emulation_rules)
    if kind is not None:
        stmt = stmt.where(emulation_rules.c.kind == kind)
    else:
        conn.execute(delete(emulated_operations))
    return conn.execute(stmt).rowcount


def in_play(conn: Connection, operation_id: int | None = None) -> bool:
    """Whether any rule is set (or ``advance`` touched this operation): when not, nothing is emulated and the
    engine asks nothing more (one small read per chunk or per read of an operation)."""
    if conn.execute(select(emulation_rules.c.id).limit(1)).first() is not None:
        return True
    if operation_id is None:
        return False
    found = select(emulated_operations.c.operation_id).where(emulated_operations.c.operation_id == operation_id)
    return conn.execute(found).first() is not None


def count_use(conn: Connection, rule_id: int, fired: int, draws: int) -> None:
    conn.execute(update(emulation_rules).where(emulation_rules.c.id == rule_id).values(
        fired=emulation_rules.c.fired + fired, draws=emulation_rules.c.draws + draws))


def most_specific(rules: list[StoredRule], shop: str | None, op_type: OperationType | None,
                  operation_id: int | None) -> StoredRule | None:
    """The matching rule with the most specific match; among equals, the one set last."""
    best: StoredRule | None = None
    for rule in rules:
        if rule.match.matches(shop, op_type, operation_id) and (
                best is None or rule.match.specificity >= best.match.specificity):
            best = rule
    return best
