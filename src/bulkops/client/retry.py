"""When the client asks again, and how long it waits first: a pure policy, (what happened, attempt) → a delay or
None (give up). A request is retried on HTTP 429, on 5xx, on a connection that failed or timed out, and on a
GraphQL ``THROTTLED`` error (Shopify answers it with HTTP 200 or 429: spec 1.4, UNCONFIRMED which).

The wait honours the server: ``Retry-After`` (seconds or an HTTP date) when sent, else for ``THROTTLED`` the time
the cost bucket needs to refill (``extensions.cost``), else exponential backoff with full jitter, so that many
clients throttled together do not come back together.

Every request is retried alike, mutations too, as Shopify's own API libraries do (their ``retries`` option): a
5xx or a timeout after a run mutation was received may mean it ran, and then the retry is refused
(``OPERATION_IN_PROGRESS``, at 1 concurrent run before 2026-01) or starts a second run (5 from 2026-01, spec
3.4); ``bulkops operations`` shows which."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` in all (1: never retry); waits of ``base * 2**n`` seconds, jittered, capped at ``cap``."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)
    """A number in [0, 1): the share of the backoff actually waited (full jitter)."""

    def backoff(self, attempt: int) -> float:
        """The jittered wait after the ``attempt``-th failure (counted from 1)."""
        return min(self.cap, self.base * 2 ** (attempt - 1)) * self.jitter()

    def delay(self, attempt: int, outcome: httpx.Response | httpx.TransportError) -> float | None:
        """Seconds to wait before trying again after this ``outcome`` of the ``attempt``-th try; None: do not."""
        if attempt >= self.attempts or not is_retryable(outcome):
            return None
        if isinstance(outcome, httpx.Response):
            asked = retry_after(outcome)
            if asked is None:
                asked = throttle_wait(outcome)
            if asked is not None:
                return min(asked, self.cap)
        return self.backoff(attempt)


def is_retryable(outcome: httpx.Response | httpx.TransportError) -> bool:
    if isinstance(outcome, httpx.TransportError):
        return True
    return outcome.status_code in RETRIED_STATUSES or is_throttled(outcome)


def is_throttled(response: httpx.Response) -> bool:
    """A GraphQL body whose errors carry ``extensions.code: THROTTLED``."""
    body = _json_body(response)
    errors = body.get("errors") if isinstance(body, dict) else None
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors)


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date from now; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def throttle_wait(response: httpx.Response) -> float | None:
    """For a throttled query, the seconds until the bucket holds its cost again:
    ``(requestedQueryCost - currentlyAvailable) / restoreRate`` (spec 1.4); None without those numbers."""
    body = _json_body(response)
    cost = ((body.get("extensions") or {}).get("cost") or {}) if isinstance(body, dict) else {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.0, missing / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _json_body(response: httpx.Response) -> Any:
    """The body as JSON; None when it is not JSON or not read (a download streaming its 200)."""
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        return response.json()
    except (ValueError, httpx.ResponseNotRead):
        return None


def _after(policy: RetryPolicy, attempt: int, outcome: httpx.Response | httpx.TransportError) -> float | None:
    """The wait before the next try; None: ``outcome`` is the answer (a last error is raised)."""
    wait = policy.delay(attempt, outcome)
    if wait is None and isinstance(outcome, httpx.TransportError):
        raise outcome
    return wait


def send(request: Callable[[], httpx.Response], policy: RetryPolicy) -> httpx.Response:
    """``request()`` until it succeeds or the policy gives up: the last response, or the last error raised."""
    for attempt in itertools.count(1):
        try:
            outcome: httpx.Response | httpx.TransportError = request()
        except httpx.TransportError as exc:
            outcome = exc
        if (wait := _after(policy, attempt, outcome)) is None:
            break
        policy.sleep(wait)
    assert isinstance(outcome, httpx.Response)
    return outcome


async def send_async(request: Callable[[], Awaitable[httpx.Response]], policy: RetryPolicy,
                     sleep: Callable[[float], Awaitable[None]]) -> httpx.Response:
    """``send`` for an async client: ``request()`` and ``sleep(seconds)`` are awaited."""
    for attempt in itertools.count(1):
        try:
            outcome: httpx.Response | httpx.TransportError = await request()
        except httpx.TransportError as exc:
            outcome = exc
        if (wait := _after(policy, attempt, outcome)) is None:
            break
        await sleep(wait)
    assert isinstance(outcome, httpx.Response)
    return outcome
