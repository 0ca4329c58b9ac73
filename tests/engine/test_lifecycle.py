"""The lifecycle is declared once and enforced by the one function that moves an operation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bulkops.db.database import Database
from bulkops.domain.shops.rules import create_shop
from bulkops.domain.shops.secrets import SecretBox
from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import TRANSITIONS, Status, transition

NOW = datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'lifecycle.db'}")
    database.migrate()
    return database


def new_operation(db: Database, status: Status) -> int:
    with db.write() as conn:
        shop = create_shop(conn, f"s-{status.value.lower()}-{id(conn) % 10000}", NOW, SecretBox("lifecycle"))
        return ops.insert_operation(conn, shop_id=shop.id, type="MUTATION", status=status.value, query="mutation {}",
                                    group_objects=False, api_version="2026-10", created_at=NOW).id


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_declared_transitions_move_an_operation(db: Database, source: Status, target: Status) -> None:
    operation = new_operation(db, source)

    with db.write() as conn:
        moved = transition(conn, operation, target)
        now = ops.status_of(conn, operation)

    assert moved == (target in TRANSITIONS[source])
    assert now == (target if moved else source)


def test_no_operation_can_leave_expired() -> None:
    assert TRANSITIONS[Status.EXPIRED] == frozenset()
