"""The emulator's rules below HTTP: which rule an operation gets, how many lines a mode allows by a given time,
how LINE_ERROR counts against ``times``, where at-line faults strike (issue 17)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bulkops.db.database import Database
from bulkops.engine import faults, progression
from bulkops.engine.emulation_rules import Match, RuleError, most_specific, parse_match, rules_of
from bulkops.engine.faults import FaultType, Target
from bulkops.engine.lifecycle import OperationType
from bulkops.engine.progression import Mode, OperationState, Progression, allowance

NOW = datetime(2026, 1, 1, 12, 0, 0)
MUTATION = OperationType.MUTATION


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'emulation.db'}")
    database.migrate()
    return database


def test_an_operation_id_beats_a_shop_which_beats_a_type_and_among_equals_the_last_set_wins(db: Database) -> None:
    with db.write() as conn:
        progression.put_rules(conn, [
            {"mode": "manual"}, {"match": {"type": "MUTATION"}, "mode": "rate", "linesPerSecond": 5},
            {"match": {"shop": "a"}, "mode": "polls"}, {"match": {"shop": "a.myshopify.com"}, "mode": "immediate"},
            {"match": {"operationId": "gid://shopify/BulkOperation/7"}, "mode": "realtime"}], NOW)
        rules = rules_of(conn, progression.PROGRESSION)

    def mode(shop: str, kind: OperationType, number: int) -> str:
        chosen = most_specific(rules, shop, kind, number)
        return chosen.body["mode"] if chosen else "-"

    assert mode("a.myshopify.com", MUTATION, 7) == "realtime"
    assert mode("a.myshopify.com", MUTATION, 8) == "immediate"
    assert mode("b.myshopify.com", MUTATION, 8) == "rate"
    assert mode("b.myshopify.com", OperationType.QUERY, 8) == "manual"


def test_each_mode_allows_its_lines() -> None:
    started = NOW - timedelta(seconds=2.5)
    state = OperationState(reads=5, granted_lines=1)

    assert allowance(Progression(Mode.REALTIME), state, started, NOW) == math.inf
    assert allowance(Progression(Mode.MANUAL), state, started, NOW) == 1
    assert allowance(Progression(Mode.RATE, lines_per_second=4), state, started, NOW) == 1 + 10
    assert allowance(Progression(Mode.POLLS, polls_per_step=2, lines_per_step=3), state, started, NOW) == 1 + 6
    assert allowance(Progression(Mode.MANUAL), OperationState(forced_status="COMPLETED"), started, NOW) == math.inf


def test_line_errors_stop_at_times_and_the_count_is_kept(db: Database) -> None:
    with db.write() as conn:
        faults.put_faults(conn, [{"type": "LINE_ERROR", "lines": [0, 2, 4], "times": 2}], NOW)
        first = faults.line_errors(conn, Target("s"), [0, 1, 2])
        second = faults.line_errors(conn, Target("s"), [3, 4])

    assert sorted(first) == [0, 2] and second == {}
    assert first[0] == {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}


def test_an_at_line_fault_strikes_once_the_lines_done_reach_it_and_cuts_the_chunks_there(db: Database) -> None:
    with db.write() as conn:
        faults.put_faults(conn, [{"type": "FAIL_OPERATION", "afterLines": 5}], NOW)
        marks = faults.split_marks(conn, Target("s", MUTATION, 1))
        early = faults.crossed(conn, FaultType.FAIL_OPERATION, Target("s", MUTATION, 1), 0, 4)
        struck = faults.crossed(conn, FaultType.FAIL_OPERATION, Target("s", MUTATION, 1), 4, 8)

    assert marks == [5] and early is None
    assert struck is not None and struck.body["afterLines"] == 5


@pytest.mark.parametrize(("raw", "message"), [
    ("shop", "match must be an object with shop, type and/or operationId"),
    ({"operationId": "gid://shopify/Product/x"}, "operationId 'gid://shopify/Product/x' is not a BulkOperation id"),
    ({"where": 1}, "match has unknown keys: where"),
])
def test_a_bad_match_is_refused(raw: object, message: str) -> None:
    with pytest.raises(RuleError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_match(raw)


def test_a_match_on_a_shop_accepts_its_name_or_its_domain() -> None:
    assert Match(shop="a").matches("a.myshopify.com", None, None)
    assert not Match(shop="a").matches("ab.myshopify.com", None, None)
    assert not Match(shop="a").matches(None, None, None)
