"""The client and live progress: against a server without the bulkops extension (Shopify, here a stub shop) it
follows an operation by ``objectCount`` alone; the probe costs one request; the event-stream parser."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bulkops.client import BulkClient
from bulkops.client.live import Event, parse_events, supports_live_progress
from bulkops.client.runs import Polling, follow
from tests.client.stub import stub_shop

OPERATION = {"id": "gid://shopify/BulkOperation/7", "status": "COMPLETED", "type": "MUTATION", "errorCode": None,
             "objectCount": "3", "rootObjectCount": "3", "fileSize": None, "url": None, "partialDataUrl": None,
             "createdAt": "2026-01-01T00:00:00Z", "completedAt": "2026-01-01T00:00:01Z", "query": "mutation {}"}


async def shopify(request: Request) -> Response:
    """Every Admin GraphQL request gets the finished operation (as ``node`` and ``bulkOperation``)."""
    return JSONResponse({"data": {"node": OPERATION, "bulkOperation": OPERATION}})


def test_against_a_server_without_the_extension_follow_falls_back_to_object_count() -> None:
    states: list[dict[str, Any]] = []
    with stub_shop(shopify) as url, BulkClient(url, "shpat_stub") as client:
        assert supports_live_progress(client.http) is False
        final = follow(client, {"id": OPERATION["id"]}, Polling(interval=0.01), states.append)

    assert final["status"] == "COMPLETED"
    assert [("live" in state, state["objectCount"]) for state in states] == [(False, "3")]


def test_server_sent_events_are_parsed_and_heartbeat_comments_skipped() -> None:
    lines = iter(["id: 3", "event: operation", 'data: {"status": "RUNNING"}', "", ": heartbeat", "",
                  "id: 19", "event: operation", 'data: {"status": "COMPLETED"}', ""])

    assert list(parse_events(lines)) == [Event(3, "operation", {"status": "RUNNING"}),
                                         Event(19, "operation", {"status": "COMPLETED"})]
