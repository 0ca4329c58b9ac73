"""The client asks again when the server says to (429, 5xx, ``THROTTLED``) or cannot be reached, waiting as the
server asks (``Retry-After``, the cost bucket's refill) or with jittered backoff; waits are recorded, not slept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bulkops.client import AsyncBulkClient, BulkClient, BulkClientError, RetryPolicy
from bulkops.testing import free_port
from tests.client.stub import stub_shop

THROTTLED = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
             "extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": None,
                                     "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 652,
                                                        "restoreRate": 50.0}}}}
SHOP = {"data": {"shop": {"name": "stub"}}}


@contextmanager
def stub_server(answers: list[Response]) -> Iterator[tuple[str, list[str]]]:
    """A GraphQL endpoint on loopback giving ``answers`` in turn (the last one again once they run out); yields
    its base URL and the paths it was asked for."""
    asked: list[str] = []

    async def graphql(request: Request) -> Response:
        asked.append(request.url.path)
        return answers[min(len(asked), len(answers)) - 1]

    with stub_shop(graphql) as url:
        yield url, asked


def recording(waits: list[float], attempts: int = 6) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, base=0.5, cap=30.0, sleep=waits.append, jitter=lambda: 0.5)


def test_a_server_answering_429_then_503_then_200_is_asked_three_times() -> None:
    waits: list[float] = []
    answers = [JSONResponse({"errors": "Exceeded 2 calls per second"}, 429, headers={"Retry-After": "2"}),
               Response("bad gateway", 503), JSONResponse(SHOP)]

    with stub_server(answers) as (url, asked), BulkClient(url, "shpat_stub", retry=recording(waits)) as client:
        body = client.graphql("{ shop { name } }")

    assert body == SHOP
    assert len(asked) == 3
    assert waits == [2.0, 0.5]  # Retry-After as asked, then backoff 0.5 * 2 (second failure) * jitter 0.5


def test_a_throttled_query_waits_for_the_bucket_to_hold_its_cost_again() -> None:
    waits: list[float] = []

    with stub_server([JSONResponse(THROTTLED), JSONResponse(SHOP)]) as (url, asked), \
            BulkClient(url, "shpat_stub", retry=recording(waits)) as client:
        body = client.graphql("{ shop { name } }")

    assert body == SHOP and len(asked) == 2
    assert waits == [2.0]  # (752 - 652) / 50


def test_the_client_gives_up_after_its_attempts_with_the_last_answer() -> None:
    waits: list[float] = []

    with stub_server([Response("unavailable", 503)]) as (url, asked), \
            BulkClient(url, "shpat_stub", retry=recording(waits, attempts=3)) as client:
        with pytest.raises(BulkClientError, match="HTTP 503: unavailable"):
            client.graphql("{ shop { name } }")

    assert len(asked) == 3
    assert waits == [0.25, 0.5]


def test_a_client_error_other_than_429_is_not_retried() -> None:
    waits: list[float] = []

    with stub_server([JSONResponse({"errors": "[API] Invalid API key or access token"}, 401)]) as (url, asked), \
            BulkClient(url, "shpat_stub", retry=recording(waits)) as client:
        with pytest.raises(BulkClientError, match="HTTP 401"):
            client.graphql("{ shop { name } }")

    assert len(asked) == 1 and waits == []


def test_a_refused_connection_is_retried_then_raised() -> None:
    waits: list[float] = []

    with BulkClient(f"http://127.0.0.1:{free_port()}", "shpat_stub", retry=recording(waits, attempts=4)) as client:
        with pytest.raises(httpx.ConnectError):
            client.graphql("{ shop { name } }")

    assert waits == [0.25, 0.5, 1.0]


def test_the_async_client_retries_the_same_way() -> None:
    answers = [Response("", 502), JSONResponse(SHOP)]

    async def ask(url: str) -> dict[str, object]:
        async with AsyncBulkClient(url, "shpat_stub", retry=RetryPolicy(base=0.001, jitter=lambda: 0.0)) as client:
            return await client.graphql("{ shop { name } }")

    with stub_server(answers) as (url, asked):
        body = asyncio.run(ask(url))

    assert body == SHOP and len(asked) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "120"}, 30.0),  # capped
        ({"Retry-After": "soon"}, 0.25),  # unreadable: backoff, 0.5 * jitter 0.5
        ({}, 0.25),
    ],
)
def test_retry_after_in_seconds_is_honoured_up_to_the_cap(headers: dict[str, str], expected: float) -> None:
    policy = recording([])

    assert policy.delay(1, httpx.Response(429, headers=headers)) == expected


def test_retry_after_as_an_http_date_is_the_time_until_then() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)

    wait = recording([]).delay(1, httpx.Response(503, headers={"Retry-After": later}))

    assert wait is not None and 18 < wait <= 20
