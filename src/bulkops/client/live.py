"""Live progress from a bulkops server (its extension beside the Admin API; Shopify has none): exact totals, the
server's rate and ETA, the failed-lines file, and an operation's event stream. ``supports_live_progress`` tells
a bulkops server from Shopify with one cheap request, so callers fall back to polling ``objectCount``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

EXTENSION_PATH = "/bulkops/v1/graphql"
PROBE = "{ __typename }"
OPERATION = """query live($id: ID!) { operation(id: $id) { id status
  progress { totalLines linesDone linesPerSecond etaSeconds stalled } files { failedLinesUrl } } }"""


class NoLiveProgress(Exception):
    """The server has no bulkops extension (Shopify itself, or an older bulkops)."""


def supports_live_progress(http: httpx.Client) -> bool:
    """Whether the server answers the extension endpoint (a single small POST; any failure means no)."""
    try:
        response = http.post(EXTENSION_PATH, content=orjson.dumps({"query": PROBE}),
                             headers={"Content-Type": "application/json"}, timeout=5.0)
        return response.status_code == 200 and orjson.loads(response.content).get("data") == {"__typename": "Query"}
    except (httpx.HTTPError, orjson.JSONDecodeError, AttributeError):
        return False


def live_operation(http: httpx.Client, operation_id: str) -> dict[str, Any] | None:
    """The extension's ``operation`` answer (None: the shop has no such operation)."""
    response = http.post(EXTENSION_PATH, content=orjson.dumps({"query": OPERATION, "variables": {"id": operation_id}}),
                         headers={"Content-Type": "application/json"})
    return _operation_of(response)


def _operation_of(response: httpx.Response) -> dict[str, Any] | None:
    if response.status_code != 200:
        raise NoLiveProgress(f"HTTP {response.status_code} from {EXTENSION_PATH}: {response.text[:200]}")
    body = orjson.loads(response.content)
    if body.get("errors"):
        raise NoLiveProgress(f"{EXTENSION_PATH} answered errors: {body['errors']}")
    operation: dict[str, Any] | None = body["data"]["operation"]
    return operation


@dataclass(frozen=True)
class Event:
    id: int | None
    name: str
    data: dict[str, Any]


def events_path(operation_id: str) -> str:
    number = operation_id.rsplit("/", 1)[-1]
    return f"/bulkops/v1/operations/{number}/events"


def operation_events(http: httpx.Client, operation_id: str, last_event_id: int | None = None,
                     read_timeout: float = 60.0) -> Iterator[Event]:
    """The operation's events until the stream ends (after its terminal status); heartbeats are skipped."""
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    timeout = httpx.Timeout(10.0, read=read_timeout)
    with http.stream("GET", events_path(operation_id), headers=headers, timeout=timeout) as response:
        if response.status_code != 200:
            response.read()
            raise NoLiveProgress(f"HTTP {response.status_code} from {events_path(operation_id)}: "
                                 f"{response.text[:200]}")
        yield from parse_events(response.iter_lines())


def parse_events(lines: Iterator[str]) -> Iterator[Event]:
    """Server-Sent Events from their text lines (``id``, ``event``, ``data``; comments are heartbeats)."""
    parser = EventParser()
    for line in lines:
        event = parser.feed(line)
        if event is not None:
            yield event


class EventParser:
    """Server-Sent Events one text line at a time, for a sync or an async line source alike."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def feed(self, line: str) -> Event | None:
        """The event a blank line completes, else None."""
        if line:
            if not line.startswith(":"):
                name, _, value = line.partition(":")
                self.fields[name] = value[1:] if value.startswith(" ") else value
            return None
        fields, self.fields = self.fields, {}
        if "data" not in fields:
            return None
        raw_id = fields.get("id", "")
        return Event(int(raw_id) if raw_id.isdigit() else None, fields.get("event", "message"),
                     orjson.loads(fields["data"]))


async def live_operation_async(http: httpx.AsyncClient, operation_id: str) -> dict[str, Any] | None:
    """``live_operation`` on an async client."""
    response = await http.post(EXTENSION_PATH, content=orjson.dumps({"query": OPERATION,
                                                                     "variables": {"id": operation_id}}),
                               headers={"Content-Type": "application/json"})
    return _operation_of(response)


async def operation_events_async(http: httpx.AsyncClient, operation_id: str, last_event_id: int | None = None,
                                 read_timeout: float = 60.0) -> AsyncIterator[Event]:
    """``operation_events`` on an async client."""
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    timeout = httpx.Timeout(10.0, read=read_timeout)
    async with http.stream("GET", events_path(operation_id), headers=headers, timeout=timeout) as response:
        if response.status_code != 200:
            await response.aread()
            raise NoLiveProgress(f"HTTP {response.status_code} from {events_path(operation_id)}: "
                                 f"{response.text[:200]}")
        parser = EventParser()
        async for line in response.aiter_lines():
            event = parser.feed(line)
            if event is not None:
                yield event
