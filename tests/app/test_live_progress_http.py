"""Live progress over real HTTP on loopback: the extension endpoint ``POST /bulkops/v1/graphql`` and the event
stream ``GET /bulkops/v1/operations/{id}/events``, with the Admin API's auth and shop isolation, and nothing of
either in Shopify's endpoints. A gate before each chunk holds the import in step with the test, so events are
seen while it runs without any timing."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import orjson
import pytest
import uvicorn

from bulkops.app import progress as progress_app
from bulkops.app.http import build_app
from bulkops.app.serving import ClosingServer
from bulkops.client import AsyncBulkClient, BulkClient
from bulkops.client.live import Event, operation_events, parse_events, supports_live_progress
from bulkops.engine import operations as ops
from tests.server import InProcessServer

CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id title } userErrors { field message } } }")
FAST_STREAMS = {"chunk_lines": 20, "progress_poll_s": 0.02, "progress_heartbeat_s": 0.1}
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def products_jsonl(count: int) -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"Board {i}"}}) + b"\n" for i in range(count))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    process = InProcessServer(tmp_path_factory.mktemp("live"), FAST_STREAMS).start()
    yield process
    process.stop()


@pytest.fixture
def client(server: InProcessServer) -> Iterator[BulkClient]:
    made = server.client(server.new_shop())
    yield made
    made.close()


class Gate:
    """Holds the server's worker before each chunk until the test lets one more through (or 10 s pass)."""

    def __init__(self) -> None:
        self.passes = threading.Semaphore(0)

    def let_one_through(self) -> None:
        self.passes.release()

    def open(self) -> None:
        for _ in range(1000):
            self.passes.release()


@pytest.fixture
def gate(server: InProcessServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    assert server.runtime is not None
    engine = server.runtime.engine
    checkpoint = engine.checkpoint
    made = Gate()

    def gated(op: ops.Operation) -> None:
        made.passes.acquire(timeout=10)
        checkpoint(op)

    monkeypatch.setattr(engine, "checkpoint", gated)
    yield made
    made.open()


def start_import(client: BulkClient, data: bytes) -> str:
    started = client.run_mutation(CREATE, client.stage(data))
    assert started["userErrors"] == []
    return started["bulkOperation"]["id"]


def number(operation_id: str) -> str:
    return operation_id.rsplit("/", 1)[-1]


def test_events_arrive_while_an_import_runs_and_the_stream_ends_after_completed(
        client: BulkClient, gate: Gate) -> None:
    operation_id = start_import(client, products_jsonl(200))
    seen: list[Event] = []
    for event in operation_events(client.http, operation_id, read_timeout=20):
        seen.append(event)
        gate.let_one_through()

    ids = [e.id for e in seen]
    assert ids == sorted(set(ids))  # strictly growing
    running = [e.data["progress"]["linesDone"] for e in seen if e.data["status"] == "RUNNING"]
    assert len([done for done in running if 0 < done < 200]) >= 3
    assert running == sorted(running)
    final = seen[-1].data
    assert (final["id"], final["status"]) == (operation_id, "COMPLETED")
    assert final["progress"] == {"totalLines": 200, "linesDone": 200, "linesPerSecond": None, "etaSeconds": 0.0,
                                 "stalled": False}
    assert {e.name for e in seen} == {"operation"}


def test_a_stream_resumed_with_the_last_event_id_sends_only_what_moved_since(client: BulkClient) -> None:
    operation_id = start_import(client, products_jsonl(30))
    events = list(client.events(operation_id))
    final = events[-1]
    assert final.data["status"] == "COMPLETED"

    assert list(client.events(operation_id, last_event_id=final.id)) == []
    assert list(client.events(operation_id, last_event_id=events[0].id)) == [final]


def test_a_quiet_stream_carries_heartbeat_comments(server: InProcessServer, client: BulkClient, gate: Gate) -> None:
    operation_id = start_import(client, products_jsonl(60))
    with client.http.stream("GET", f"/bulkops/v1/operations/{number(operation_id)}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        first = next(parse_events(lines))
        heard = [line for line in _until(lines, ": heartbeat")]
        assert heard[-1] == ": heartbeat"
        gate.open()
        assert first.data["id"] == operation_id


def test_a_client_that_leaves_stops_its_streams_reads(client: BulkClient, gate: Gate,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    reads = [0]
    read_once = progress_app.snapshot

    def counted(*args: object) -> object:
        reads[0] += 1
        return read_once(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(progress_app, "snapshot", counted)
    operation_id = start_import(client, products_jsonl(60))
    with client.http.stream("GET", f"/bulkops/v1/operations/{number(operation_id)}/events") as response:
        next(parse_events(response.iter_lines()))
    assert _settles(reads), "the stream kept reading the operation after its client left"
    gate.open()


def _settles(counter: list[int], quiet: float = 0.2, within: float = 10.0) -> bool:
    """Whether ``counter`` stops growing for ``quiet`` seconds (10 polls of these streams) within ``within``."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        before = counter[0]
        time.sleep(quiet)
        if counter[0] == before:
            return True
    return False


def _until(lines: Iterator[str], wanted: str) -> Iterator[str]:
    for line in lines:
        yield line
        if line == wanted:
            return


def test_the_extension_answers_an_imports_progress_and_its_failed_lines_url(client: BulkClient) -> None:
    bad = b'{"product": {"title": ""}}\n'
    operation_id = start_import(client, products_jsonl(3) + bad + b"not json\n")
    client.wait(operation_id)

    answer = client.live_progress(operation_id)
    assert answer is not None
    url = answer["files"].pop("failedLinesUrl")
    assert answer == {"id": operation_id, "status": "COMPLETED", "files": {},
                      "progress": {"totalLines": 5, "linesDone": 5, "linesPerSecond": None, "etaSeconds": 0.0,
                                   "stalled": False}}
    failed = client.download(url)
    assert failed == bad + b"not json\n"

    fixed = failed.replace(b'""', b'"Fixed"').replace(b"not json", b'{"product": {"title": "Was not JSON"}}')
    rerun = client.wait(start_import(client, fixed))
    assert rerun["status"] == "COMPLETED"
    assert [line["data"]["productCreate"]["userErrors"] for line in client.results(rerun["url"])] == [[], []]
    assert client.live_progress(rerun["id"])["files"] == {"failedLinesUrl": None}  # type: ignore[index]


def test_a_shop_never_sees_another_shops_operation(server: InProcessServer, client: BulkClient) -> None:
    operation_id = start_import(client, products_jsonl(2))
    client.wait(operation_id)
    with server.client(server.new_shop("other")) as other:
        assert other.live_progress(operation_id) is None
        assert other.live_progress(number(operation_id)) is None
        response = other.http.get(f"/bulkops/v1/operations/{number(operation_id)}/events")
        assert (response.status_code, response.json()) == (404, {"errors": "Not Found"})
    assert client.live_progress(number(operation_id)) is not None


def test_without_a_valid_token_both_endpoints_answer_401_as_the_admin_api_does(server: InProcessServer) -> None:
    with httpx.Client(base_url=server.base_url, headers={"X-Shopify-Access-Token": "shpat_wrong"}) as http:
        graphql = http.post("/bulkops/v1/graphql", json={"query": "{ __typename }"})
        events = http.get("/bulkops/v1/operations/1/events")
    assert (graphql.status_code, graphql.json()) == (401, INVALID_TOKEN)
    assert (events.status_code, events.json()) == (401, INVALID_TOKEN)


def test_a_malformed_id_is_a_graphql_error_naming_it(client: BulkClient) -> None:
    response = client.http.post("/bulkops/v1/graphql", json={"query": '{ operation(id: "gid://shopify/Product/1") '
                                                                      "{ id } }"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Invalid id: gid://shopify/Product/1"


def test_the_probe_tells_a_bulkops_server_and_the_admin_api_knows_nothing_of_the_extension(
        client: BulkClient) -> None:
    assert supports_live_progress(client.http)
    introspection = client.graphql("{ __schema { types { name fields { name } } queryType { fields { name } } } }")
    text = orjson.dumps(introspection).decode()
    for name in ("linesPerSecond", "failedLinesUrl", "totalLines", "etaSeconds"):
        assert name not in text
    assert "operation" not in [f["name"] for f in introspection["data"]["__schema"]["queryType"]["fields"]]


def test_a_server_that_shuts_down_ends_its_open_streams(tmp_path: Path) -> None:
    """``stop`` asks the server to exit as SIGTERM does to ``bulkops serve`` (the same uvicorn server class)."""
    server = InProcessServer(tmp_path / "closing", FAST_STREAMS).start()
    stopped = threading.Event()
    try:
        with server.client(server.new_shop()) as client:
            assert server.runtime is not None
            held = threading.Event()
            server.runtime.engine.checkpoint = lambda op: held.wait(10)  # type: ignore[method-assign]
            operation_id = start_import(client, products_jsonl(60))
            with client.http.stream("GET", f"/bulkops/v1/operations/{number(operation_id)}/events",
                                    timeout=httpx.Timeout(10.0, read=20.0)) as response:
                lines = response.iter_lines()
                next(parse_events(lines))
                stopper = threading.Thread(target=lambda: (server.stop(), stopped.set()))
                stopper.start()
                rest = list(lines)  # ends when the server closes the stream (else the read times out)
                held.set()
                stopper.join(20)
    finally:
        server.stop()
    assert stopped.is_set()
    assert all(line == "" or line.startswith((":", "id:", "event:", "data:")) for line in rest)



def test_asking_the_server_to_exit_tells_the_runtime_at_once() -> None:
    """What ends the streams on SIGTERM to ``bulkops serve`` (and on an in-process server's ``stop``): the
    runtime's ``closing``, set before uvicorn's graceful shutdown starts waiting for open connections."""
    runtime = SimpleNamespace(closing=threading.Event())
    server = ClosingServer(uvicorn.Config(build_app), runtime)  # type: ignore[arg-type]

    server.handle_exit(signal.SIGTERM, None)

    assert runtime.closing.is_set() and server.should_exit


def test_the_async_client_reads_the_same_progress_and_events(server: InProcessServer, client: BulkClient) -> None:
    operation_id = start_import(client, products_jsonl(30))
    client.wait(operation_id)
    expected = list(client.events(operation_id))

    async def read() -> tuple[dict | None, list[Event]]:
        async with AsyncBulkClient(server.base_url, client.token, client.version) as twin:
            return await twin.live_progress(operation_id), [event async for event in twin.events(operation_id)]

    answer, events = asyncio.run(read())

    assert answer == client.live_progress(operation_id)
    assert answer is not None and answer["status"] == "COMPLETED"
    assert events == expected and [e.data["status"] for e in events] == ["COMPLETED"]
