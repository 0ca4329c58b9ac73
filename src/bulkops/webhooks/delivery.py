"""The deliverer: threads beside the bulk workers that POST due deliveries and record what happened.

Off the request path and off the bulk workers: the engine only inserts rows (see ``outbox.announce_finish``);
these threads find them in the database. A slow or hanging receiver holds one sender thread for at most the
timeout, never a bulk worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import httpx

from bulkops.clock import Clock
from bulkops.db.database import Database
from bulkops.logs import log_context
from bulkops.webhooks import outbox
from bulkops.webhooks.outbox import DueDelivery, Outcome
from bulkops.webhooks.payload import delivery_headers
from bulkops.webhooks.retry import RetryPolicy

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 1.0
"""Shopify: 1 s to connect, 5 s in all (spec 6.3); the total is ``Settings.webhook_timeout_s``."""


def post(client: httpx.Client, delivery: DueDelivery, timeout_s: float) -> Outcome:
    """One attempt: any 2xx is a success; redirects are not followed (a 3xx is a failure, as at Shopify)."""
    raw = delivery.body.encode()
    headers = delivery_headers(
        topic=delivery.topic, raw_body=raw, secret=delivery.shop_secret, shop_domain=delivery.shop_domain,
        api_version=delivery.api_version, webhook_id=delivery.webhook_id, event_id=delivery.event_id,
        triggered=delivery.triggered_at)
    timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
    started = time.monotonic()
    try:
        with client.stream("POST", delivery.uri, content=raw, headers=headers, timeout=timeout) as response:
            code = response.status_code
    except httpx.TimeoutException as exc:
        return Outcome("timeout", None, f"{type(exc).__name__}: no answer within {timeout_s:g} s")
    except (httpx.HTTPError, OSError, ValueError) as exc:
        return Outcome("connection_error", None, f"{type(exc).__name__}: {exc}"[:500])
    if time.monotonic() - started > timeout_s:
        return Outcome("timeout", code, f"answered after more than {timeout_s:g} s")
    if 200 <= code < 300:
        return Outcome("success", code)
    return Outcome("http_error", code, f"HTTP {code}")


def redacted_url(url: str) -> str:
    """The callback URL fit for a log: credentials in it (``user:password@``, query values such as a token)
    become ``***``; the scheme, host and path stay, to tell subscriptions apart."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    netloc = f"***@{host}" if "@" in parts.netloc else host
    query = "&".join(f"{pair.split('=', 1)[0]}=***" if "=" in pair else pair for pair in parts.query.split("&"))
    return urlunsplit((parts.scheme, netloc, parts.path, query if parts.query else "", ""))


class Deliverer:
    """Polls for due deliveries and sends each on a small pool; ``start``/``stop`` with the server."""

    def __init__(self, db: Database, clock: Clock, policy: RetryPolicy, timeout_s: float,
                 open_secret: Callable[[str], str], senders: int = 4, poll_interval_s: float = 0.2,
                 injected: Callable[[str], Outcome | None] | None = None) -> None:
        self.db = db
        self.injected = injected
        """The emulator's WEBHOOK_FAIL fault for a shop: an outcome recorded instead of sending."""
        self.open_secret = open_secret
        """Opens a shop's sealed app secret (the database keeps it sealed) just before signing."""
        self.clock = clock
        self.policy = policy
        self.timeout_s = timeout_s
        self.senders = max(1, senders)
        self.poll_interval_s = poll_interval_s
        self.lease_s = timeout_s + CONNECT_TIMEOUT_S + 10.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    def start(self) -> None:
        self._client = httpx.Client(follow_redirects=False, trust_env=False)
        self._pool = ThreadPoolExecutor(max_workers=self.senders, thread_name_prefix="bulkops-webhook")
        self._thread = threading.Thread(target=self._poll, name="bulkops-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming; attempts in flight finish (bounded by the timeout) and are recorded."""
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self._pool:
            self._pool.shutdown(wait=True)
        if self._client:
            self._client.close()

    def _poll(self) -> None:
        while not self._stopping.wait(self.poll_interval_s):
            try:
                self.dispatch_due()
            except Exception:
                log.exception("webhook dispatch failed")

    def dispatch_due(self) -> int:
        """Claim what is due (as many as there are free senders) and hand each to a sender."""
        with self._lock:
            free = self.senders - self._in_flight
        if free <= 0:
            return 0
        now = self.clock.now()
        with self.db.read() as conn:
            if not outbox.has_due(conn, now):
                return 0
        with self.db.write() as conn:
            claimed = outbox.claim_due(conn, now, free, self.lease_s)
        assert self._pool is not None
        for delivery in claimed:
            with self._lock:
                self._in_flight += 1
            self._pool.submit(self._attempt, delivery)
        return len(claimed)

    def _attempt(self, delivery: DueDelivery) -> None:
        with log_context(shop=delivery.shop_domain, webhook=delivery.webhook_id):
            self._attempt_in_context(delivery)

    def _attempt_in_context(self, delivery: DueDelivery) -> None:
        try:
            assert self._client is not None
            started_at = self.clock.now()
            started = time.monotonic()
            outcome = self.injected(delivery.shop_domain) if self.injected else None
            if outcome is None:
                outcome = post(self._client, replace(delivery, shop_secret=self.open_secret(delivery.shop_secret)),
                               self.timeout_s)
            duration_ms = int((time.monotonic() - started) * 1000)
            with self.db.write() as conn:
                removed = outbox.record_attempt(conn, delivery, outcome, started_at, duration_ms, self.policy,
                                                self.clock.now())
            log.info("webhook %s to %s: attempt %s %s %s", delivery.webhook_id, redacted_url(delivery.uri),
                     delivery.attempts + 1, outcome.kind, outcome.response_code or "")
            if removed:
                log.warning("webhook subscription %s (%s) removed: its last %s deliveries failed for good",
                            delivery.subscription_id, redacted_url(delivery.uri), self.policy.remove_after_failures)
        except Exception:
            log.exception("webhook delivery %s crashed", delivery.id)
        finally:
            with self._lock:
                self._in_flight -= 1
