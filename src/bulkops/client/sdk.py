"""The SDK: a client of the bulk flow, usable against bulkops or a real shop (``https://my-shop.myshopify.com``
and its access token): stage a JSONL file, run a bulk mutation or query, follow it, and read the results.
``BulkClient`` is synchronous, ``AsyncBulkClient`` the same for asyncio."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import orjson

from bulkops.client.inputs import MAX_FILE_BYTES
from bulkops.client.live import (
    Event,
    live_operation,
    live_operation_async,
    operation_events,
    operation_events_async,
)
from bulkops.client.models import FINISHED, BulkOperation, StagedTarget
from bulkops.client.report import ImportReport
from bulkops.client.retry import RetryPolicy, is_throttled, send, send_async

DEFAULT_VERSION = "2026-10"

STAGED_UPLOADS_CREATE = """
mutation stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""

RUN_MUTATION = """
mutation run($mutation: String!, $path: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path, clientIdentifier: $clientIdentifier) {
    bulkOperation { id status type query createdAt }
    userErrors { field message code }
  }
}"""
RUN_MUTATION_WITHOUT_IDENTIFIER = (RUN_MUTATION.replace(", $clientIdentifier: String", "")
                                   .replace(", clientIdentifier: $clientIdentifier", ""))
"""Sent when no identifier is given: API versions that predate the argument (which ones is UNCONFIRMED)
refuse a document naming it."""

RUN_QUERY = """
mutation run($query: String!, $groupObjects: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {
    bulkOperation { id status type query createdAt }
    userErrors { field message code }
  }
}"""

OPERATION_FIELDS = ("id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url "
                    "partialDataUrl query")
NODE_QUERY = f"query op($id: ID!) {{ node(id: $id) {{ ... on BulkOperation {{ {OPERATION_FIELDS} }} }} }}"
CANCEL = (f"mutation cancel($id: ID!) {{ bulkOperationCancel(id: $id) {{ bulkOperation {{ {OPERATION_FIELDS} }} "
          "userErrors { field message } } }")
LIST_OPERATIONS = (f"query list($first: Int!, $query: String) {{ bulkOperations(first: $first, query: $query) "
                   f"{{ nodes {{ {OPERATION_FIELDS} }} }} }}")
MAX_PAGE = 250
"""Shopify's largest page of a connection."""


class BulkClientError(RuntimeError):
    """A request the server refused (HTTP status, top-level GraphQL ``errors``) after any retries."""

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


@dataclass
class BulkClient:
    """A synchronous client of the bulk flow. Every request is retried on 429, 5xx, connection errors and
    ``THROTTLED`` (``retry``); the dict-returning methods give the server's payloads as sent, the typed ones
    (``bulk_operation``, ``operations``, ``stage_file``, ``await_operation``) give ``models`` dataclasses."""

    base_url: str
    token: str
    version: str = DEFAULT_VERSION
    timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll_interval: float | None = None
    """Seconds between polls of a running operation wherever a call is not given its own ``interval`` (None: each
    call's own default; a test against a local server may poll far more often than a script against a shop)."""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout,
                                 headers={"X-Shopify-Access-Token": self.token})
        self.files = httpx.Client(timeout=self.timeout)
        """Uploads and downloads go to the storage's own URLs, without the shop's token."""

    def close(self) -> None:
        self.http.close()
        self.files.close()

    def __enter__(self) -> BulkClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, version: str | None = None,
                operation_name: str | None = None) -> dict[str, Any]:
        """The whole response body (``data``, ``errors``, ``extensions``)."""
        content = orjson.dumps(_request_body(query, variables, operation_name))
        response = send(lambda: self.http.post(_graphql_path(version or self.version), content=content,
                                               headers=JSON_HEADERS), self.retry)
        return _graphql_body(response)

    def stage(self, data: bytes, filename: str = "bulk_op_vars.jsonl") -> str:
        """Reserve a staged upload, POST ``data``, and return the ``stagedUploadPath``."""
        return self.stage_file(io.BytesIO(data), filename).staged_upload_path

    def stage_file(self, source: IO[bytes] | Path, filename: str | None = None) -> StagedTarget:
        """Reserve a staged upload and POST the file to it, streamed from disk (never read whole)."""
        if isinstance(source, Path):
            with source.open("rb") as opened:
                return self.stage_file(opened, filename or source.name)
        name = filename or "bulk_op_vars.jsonl"
        target = StagedTarget.from_payload(_staged_target(self.graphql(STAGED_UPLOADS_CREATE, _stage_input(name))))

        def post() -> httpx.Response:
            source.seek(0)
            return self.files.post(target.url, data=dict(target.parameters),
                                   files={"file": (name, source, "text/jsonl")})

        _check_upload(send(post, self.retry))
        return target

    def run_mutation(self, mutation: str, staged_upload_path: str, client_identifier: str | None = None
                     ) -> dict[str, Any]:
        """The ``bulkOperationRunMutation`` payload (``bulkOperation`` and ``userErrors``)."""
        document, variables = _run_mutation_request(mutation, staged_upload_path, client_identifier)
        return _payload(self.graphql(document, variables), "bulkOperationRunMutation")

    def run_query(self, query: str, group_objects: bool = False) -> dict[str, Any]:
        """The ``bulkOperationRunQuery`` payload (``bulkOperation`` and ``userErrors``)."""
        body = self.graphql(RUN_QUERY, {"query": query, "groupObjects": group_objects})
        return _payload(body, "bulkOperationRunQuery")

    def operation(self, operation_id: str) -> dict[str, Any]:
        """The operation as ``node(id:)`` returns it; BulkClientError when the shop has no such operation."""
        return _node_or_error(_payload(self.graphql(NODE_QUERY, {"id": operation_id}), "node"), operation_id)

    def bulk_operation(self, operation_id: str) -> BulkOperation:
        return BulkOperation.from_node(self.operation(operation_id))

    def operations(self, *, status: str | None = None, operation_type: str | None = None, limit: int = 20
                   ) -> list[BulkOperation]:
        """The shop's operations, newest first (``bulkOperations``, 2026-01+), filtered by status and type."""
        body = self.graphql(LIST_OPERATIONS, list_variables(status, operation_type, limit))
        return [BulkOperation.from_node(node) for node in _payload(body, "bulkOperations")["nodes"]]

    def cancel(self, operation_id: str) -> dict[str, Any]:
        return _payload(self.graphql(CANCEL, {"id": operation_id}), "bulkOperationCancel")

    def follow(self, operation_id: str, interval: float | None = None,
               timeout: float = 600.0) -> Iterator[dict[str, Any]]:
        """Each polled state, until the operation finishes."""
        interval = self._interval(interval, 0.2)
        deadline = time.monotonic() + timeout
        while True:
            state = self.operation(operation_id)
            yield state
            if state["status"] in FINISHED:
                return
            if time.monotonic() > deadline:
                raise BulkClientError(f"operation {operation_id} still {state['status']} after {timeout}s", state)
            time.sleep(interval)

    def wait(self, operation_id: str, interval: float | None = None, timeout: float = 600.0) -> dict[str, Any]:
        """The operation's final state (the last one ``follow`` yields)."""
        state: dict[str, Any] = {}
        for latest in self.follow(operation_id, interval, timeout):
            state = latest
        return state

    def await_operation(self, operation_id: str, interval: float | None = None,
                        timeout: float = 600.0) -> BulkOperation:
        """``wait``, typed."""
        return BulkOperation.from_node(self.wait(operation_id, self._interval(interval, 1.0), timeout))

    def _interval(self, given: float | None, default: float) -> float:
        if given is not None:
            return given
        return self.poll_interval if self.poll_interval is not None else default

    def download(self, url: str) -> bytes:
        response = send(lambda: self.files.get(url), self.retry)
        _check_download(response)
        return response.content

    def download_to(self, url: str, out: IO[bytes]) -> int:
        """Stream a result file into ``out`` (results can be larger than memory wants); returns its size. A
        failure before the first byte is retried; one after it is raised (``out`` already holds a part)."""

        def open_stream() -> httpx.Response:
            response = self.files.send(self.files.build_request("GET", url), stream=True)
            if response.status_code != 200:
                response.read()
                response.close()
            return response

        response = send(open_stream, self.retry)
        _check_download(response)
        size = 0
        try:
            for block in response.iter_bytes(1 << 20):
                out.write(block)
                size += len(block)
        finally:
            response.close()
        return size

    def results(self, url: str) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.download(url).splitlines() if line.strip()]

    def live_progress(self, operation_id: str) -> dict[str, Any] | None:
        """A bulkops server only (its extension; raises ``NoLiveProgress`` elsewhere): the operation's ``id``,
        ``status``, ``progress`` (``totalLines``, ``linesDone``, ``linesPerSecond``, ``etaSeconds``,
        ``stalled``) and ``files`` (``failedLinesUrl``); None when the shop has no such operation."""
        return live_operation(self.http, operation_id)

    def events(self, operation_id: str, last_event_id: int | None = None) -> Iterator[Event]:
        """A bulkops server only: the operation's state each time it moves, until it finishes (Server-Sent
        Events; pass the last ``Event.id`` seen to resume after it)."""
        return operation_events(self.http, operation_id, last_event_id)

    def import_file(self, path: Path, mutation: str, *, client_identifier: str | None = None,
                    results: Path | None = None, failures: Path | None = None, lines: str | None = None,
                    resume: tuple[str, ...] = (), max_bytes: int = MAX_FILE_BYTES, interval: float | None = None,
                    timeout: float | None = None) -> ImportReport:
        """``bulkops import`` as a call: stream ``path`` (JSONL or gzip) up in parts under ``max_bytes``, run
        ``mutation`` over each, wait, and return the report (counts and first failures by the file's line
        numbers). ``failures`` also writes ``FILE.failed.jsonl`` beside it; ``lines`` is ``--lines`` (``N-M``)
        and ``resume`` the ``--resume`` specs (``ID`` or ``ID@LINE``)."""
        from rich.console import Console

        from bulkops.client.inputs import Selection
        from bulkops.client.runs import ImportRequest, Polling, import_report, resume_selection

        selection = resume_selection(self, list(resume), Selection.parse(lines)) if resume else Selection.parse(lines)
        request = ImportRequest(path, mutation, client_identifier, results, failures, selection=selection,
                                max_bytes=max_bytes, resumed=resume)
        quiet = Console(quiet=True)
        return import_report(self, request, Polling(self._interval(interval, 1.0), timeout), quiet, quiet)

    def export(self, query: str, out: IO[bytes], *, group_objects: bool = False, interval: float | None = None,
               timeout: float = 600.0) -> BulkOperation:
        """Run a bulk query, wait, and stream its JSONL into ``out``; its final state (``status``: did it
        complete; a refused query raises BulkClientError with the userErrors)."""
        started = self.run_query(query, group_objects)
        if started["userErrors"] or not started.get("bulkOperation"):
            raise BulkClientError("bulkOperationRunQuery refused", started["userErrors"])
        operation = self.await_operation(started["bulkOperation"]["id"], interval, timeout)
        if operation.result_url:
            self.download_to(operation.result_url, out)
        return operation


class AsyncBulkClient:
    """``BulkClient`` for asyncio code: the same methods, requests, retries and typed results, awaited."""

    def __init__(self, base_url: str, token: str, version: str = DEFAULT_VERSION, timeout: float = 60.0,
                 retry: RetryPolicy | None = None) -> None:
        self.base_url = base_url
        self.token = token
        self.version = version
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout,
                                      headers={"X-Shopify-Access-Token": token})
        self.files = httpx.AsyncClient(timeout=timeout)
        """Uploads and downloads go to the storage's own URLs, without the shop's token."""

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.files.aclose()

    async def __aenter__(self) -> AsyncBulkClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def _send(self, request: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        return await send_async(request, self.retry, asyncio.sleep)

    async def graphql(self, query: str, variables: dict[str, Any] | None = None, *, version: str | None = None,
                      operation_name: str | None = None) -> dict[str, Any]:
        """The whole response body (``data``, ``errors``, ``extensions``)."""
        content = orjson.dumps(_request_body(query, variables, operation_name))
        response = await self._send(lambda: self.http.post(_graphql_path(version or self.version), content=content,
                                                           headers=JSON_HEADERS))
        return _graphql_body(response)

    async def stage(self, data: bytes, filename: str = "bulk_op_vars.jsonl") -> str:
        """Reserve a staged upload, POST ``data``, and return the ``stagedUploadPath``."""
        return (await self.stage_file(io.BytesIO(data), filename)).staged_upload_path

    async def stage_file(self, source: IO[bytes] | Path, filename: str | None = None) -> StagedTarget:
        """Reserve a staged upload and POST the file to it (read in blocks by httpx, never whole)."""
        if isinstance(source, Path):
            with source.open("rb") as opened:
                return await self.stage_file(opened, filename or source.name)
        name = filename or "bulk_op_vars.jsonl"
        target = StagedTarget.from_payload(_staged_target(await self.graphql(STAGED_UPLOADS_CREATE,
                                                                             _stage_input(name))))

        async def post() -> httpx.Response:
            source.seek(0)
            return await self.files.post(target.url, data=dict(target.parameters),
                                         files={"file": (name, source, "text/jsonl")})

        _check_upload(await self._send(post))
        return target

    async def run_mutation(self, mutation: str, staged_upload_path: str, client_identifier: str | None = None
                           ) -> dict[str, Any]:
        """The ``bulkOperationRunMutation`` payload (``bulkOperation`` and ``userErrors``)."""
        document, variables = _run_mutation_request(mutation, staged_upload_path, client_identifier)
        return _payload(await self.graphql(document, variables), "bulkOperationRunMutation")

    async def run_query(self, query: str, group_objects: bool = False) -> dict[str, Any]:
        """The ``bulkOperationRunQuery`` payload (``bulkOperation`` and ``userErrors``)."""
        body = await self.graphql(RUN_QUERY, {"query": query, "groupObjects": group_objects})
        return _payload(body, "bulkOperationRunQuery")

    async def operation(self, operation_id: str) -> dict[str, Any]:
        """The operation as ``node(id:)`` returns it; BulkClientError when the shop has no such operation."""
        node = _payload(await self.graphql(NODE_QUERY, {"id": operation_id}), "node")
        return _node_or_error(node, operation_id)

    async def bulk_operation(self, operation_id: str) -> BulkOperation:
        return BulkOperation.from_node(await self.operation(operation_id))

    async def operations(self, *, status: str | None = None, operation_type: str | None = None, limit: int = 20
                         ) -> list[BulkOperation]:
        """The shop's operations, newest first (``bulkOperations``, 2026-01+), filtered by status and type."""
        body = await self.graphql(LIST_OPERATIONS, list_variables(status, operation_type, limit))
        return [BulkOperation.from_node(node) for node in _payload(body, "bulkOperations")["nodes"]]

    async def cancel(self, operation_id: str) -> dict[str, Any]:
        return _payload(await self.graphql(CANCEL, {"id": operation_id}), "bulkOperationCancel")

    async def follow(self, operation_id: str, interval: float = 0.2, timeout: float = 600.0
                     ) -> AsyncIterator[dict[str, Any]]:
        """Each polled state, until the operation finishes."""
        deadline = time.monotonic() + timeout
        while True:
            state = await self.operation(operation_id)
            yield state
            if state["status"] in FINISHED:
                return
            if time.monotonic() > deadline:
                raise BulkClientError(f"operation {operation_id} still {state['status']} after {timeout}s", state)
            await asyncio.sleep(interval)

    async def wait(self, operation_id: str, interval: float = 0.2, timeout: float = 600.0) -> dict[str, Any]:
        """The operation's final state (the last one ``follow`` yields)."""
        state: dict[str, Any] = {}
        async for latest in self.follow(operation_id, interval, timeout):
            state = latest
        return state

    async def await_operation(self, operation_id: str, interval: float = 1.0, timeout: float = 600.0
                              ) -> BulkOperation:
        """``wait``, typed."""
        return BulkOperation.from_node(await self.wait(operation_id, interval, timeout))

    async def download(self, url: str) -> bytes:
        response = await self._send(lambda: self.files.get(url))
        _check_download(response)
        return response.content

    async def download_to(self, url: str, out: IO[bytes]) -> int:
        """Stream a result file into ``out``; returns its size. A failure before the first byte is retried; one
        after it is raised (``out`` already holds a part)."""

        async def open_stream() -> httpx.Response:
            response = await self.files.send(self.files.build_request("GET", url), stream=True)
            if response.status_code != 200:
                await response.aread()
                await response.aclose()
            return response

        response = await self._send(open_stream)
        _check_download(response)
        size = 0
        try:
            async for block in response.aiter_bytes(1 << 20):
                out.write(block)
                size += len(block)
        finally:
            await response.aclose()
        return size

    async def results(self, url: str) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in (await self.download(url)).splitlines() if line.strip()]

    async def live_progress(self, operation_id: str) -> dict[str, Any] | None:
        """``BulkClient.live_progress``, awaited (a bulkops server only)."""
        return await live_operation_async(self.http, operation_id)

    async def events(self, operation_id: str, last_event_id: int | None = None) -> AsyncIterator[Event]:
        """``BulkClient.events`` as an async iterator (a bulkops server only): ``async for event in ...``."""
        async for event in operation_events_async(self.http, operation_id, last_event_id):
            yield event

    async def import_file(self, path: Path, mutation: str, *, client_identifier: str | None = None,
                          results: Path | None = None, failures: Path | None = None, lines: str | None = None,
                          resume: tuple[str, ...] = (), max_bytes: int = MAX_FILE_BYTES, interval: float = 1.0,
                          timeout: float | None = None) -> ImportReport:
        """``BulkClient.import_file``, awaited: the same parts, report and files. The import's file work (cutting
        parts, joining results with input lines) is blocking disk I/O, so the whole run goes to a worker thread
        with a synchronous client of the same settings; the event loop stays free meanwhile."""

        def run() -> ImportReport:
            with BulkClient(self.base_url, self.token, self.version, self.timeout, self.retry) as client:
                return client.import_file(path, mutation, client_identifier=client_identifier, results=results,
                                          failures=failures, lines=lines, resume=resume, max_bytes=max_bytes,
                                          interval=interval, timeout=timeout)

        return await asyncio.to_thread(run)

    async def export(self, query: str, out: IO[bytes], *, group_objects: bool = False, interval: float = 1.0,
                     timeout: float = 600.0) -> BulkOperation:
        """Run a bulk query, wait, and stream its JSONL into ``out``; its final state (``status``: did it
        complete; a refused query raises BulkClientError with the userErrors)."""
        started = await self.run_query(query, group_objects)
        if started["userErrors"] or not started.get("bulkOperation"):
            raise BulkClientError("bulkOperationRunQuery refused", started["userErrors"])
        operation = await self.await_operation(started["bulkOperation"]["id"], interval, timeout)
        if operation.result_url:
            await self.download_to(operation.result_url, out)
        return operation


JSON_HEADERS = {"Content-Type": "application/json"}


def _graphql_path(version: str) -> str:
    return f"/admin/api/{version}/graphql.json"


def _request_body(query: str, variables: dict[str, Any] | None, operation_name: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name:
        body["operationName"] = operation_name
    return body


def _graphql_body(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise BulkClientError(f"HTTP {response.status_code}: {response.text[:500]}", response)
    body = orjson.loads(response.content)
    if is_throttled(response):
        raise BulkClientError("THROTTLED: still throttled after retrying", body.get("errors"))
    return body


def _stage_input(filename: str) -> dict[str, Any]:
    return {"input": [{"resource": "BULK_MUTATION_VARIABLES", "filename": filename, "mimeType": "text/jsonl",
                       "httpMethod": "POST"}]}


def _staged_target(body: dict[str, Any]) -> dict[str, Any]:
    payload = _payload(body, "stagedUploadsCreate")
    if payload["userErrors"]:
        raise BulkClientError("stagedUploadsCreate failed", payload["userErrors"])
    return payload["stagedTargets"][0]


def _check_upload(response: httpx.Response) -> None:
    if response.status_code not in (200, 201, 204):
        raise BulkClientError(f"upload refused: HTTP {response.status_code} {response.text[:300]}", response)


def _check_download(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise BulkClientError(f"download failed: HTTP {response.status_code} {response.text[:300]}", response)


def _run_mutation_request(mutation: str, path: str, client_identifier: str | None) -> tuple[str, dict[str, Any]]:
    if client_identifier is None:
        return RUN_MUTATION_WITHOUT_IDENTIFIER, {"mutation": mutation, "path": path}
    return RUN_MUTATION, {"mutation": mutation, "path": path, "clientIdentifier": client_identifier}


def _node_or_error(node: dict[str, Any] | None, operation_id: str) -> dict[str, Any]:
    if node is None:
        raise BulkClientError(f"no bulk operation {operation_id} on this shop")
    return node


def list_variables(status: str | None, operation_type: str | None, limit: int) -> dict[str, Any]:
    """``bulkOperations`` arguments: its search syntax (``status:running operation_type:mutation``, spec 5.3)."""
    terms = [f"status:{status.lower()}"] if status else []
    terms += [f"operation_type:{operation_type.lower()}"] if operation_type else []
    return {"first": max(1, min(limit, MAX_PAGE)), "query": " ".join(terms) or None}


def _payload(body: dict[str, Any], field: str) -> Any:
    """``data.<field>``, or a BulkClientError carrying the top-level ``errors`` (throttled, access denied, a
    version the shop does not serve) when the field did not resolve."""
    data = body.get("data") or {}
    if field not in data or (data[field] is None and body.get("errors")):
        messages = "; ".join(str(e.get("message")) for e in body.get("errors") or []) or "no data in the response"
        raise BulkClientError(f"{field}: {messages}", body.get("errors"))
    return data[field]
