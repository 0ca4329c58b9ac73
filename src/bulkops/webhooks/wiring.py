"""How webhooks join a runtime: a finish hook on the engine, and a deliverer to start beside the workers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from bulkops.config import Settings
from bulkops.engine.engine import BulkEngine
from bulkops.engine.faults import FaultType
from bulkops.engine.operations import Operation
from bulkops.webhooks.delivery import Deliverer
from bulkops.webhooks.outbox import Outcome, announce_finish
from bulkops.webhooks.retry import RetryPolicy


def install_webhooks(engine: BulkEngine, settings: Settings, open_secret: Callable[[str], str]) -> Deliverer:
    """Every final status announces its deliveries in its own transaction; the deliverer sends them, signed with
    the shop's app secret (``open_secret`` opens the sealed one the database keeps)."""
    clock = engine.clock

    def announce(conn: Connection, op: Operation) -> None:
        announce_finish(conn, op, clock.now())

    engine.finish_hooks.append(announce)
    policy = RetryPolicy(settings.webhook_retry_schedule_s, settings.webhook_remove_after_failures)
    return Deliverer(engine.db, clock, policy, settings.webhook_timeout_s, open_secret,
                     injected=_webhook_fault(engine, settings.webhook_timeout_s))


def _webhook_fault(engine: BulkEngine, timeout_s: float) -> Callable[[str], Outcome | None] | None:
    """A WEBHOOK_FAIL fault's outcome for a shop's delivery: an HTTP error or a timeout, as if the receiver
    had answered so (nothing is sent)."""
    emulation = engine.emulation
    if emulation is None:
        return None

    def injected(shop: str) -> Outcome | None:
        fault = emulation.strike(FaultType.WEBHOOK_FAIL, shop)
        if fault is None:
            return None
        if fault.get("status") is not None:
            return Outcome("http_error", int(fault["status"]), f"HTTP {fault['status']} (WEBHOOK_FAIL fault)")
        return Outcome("timeout", None, f"no answer within {timeout_s:g} s (WEBHOOK_FAIL fault)")

    return injected
