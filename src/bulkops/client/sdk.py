"""A small client for the bulk flow, usable against bulkops or a real shop: stage a JSONL file, run a bulk
mutation or query, follow it, and read the results."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import httpx
import orjson

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

OPERATION_FIELDS = "id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query"
NODE_QUERY = f"query op($id: ID!) {{ node(id: $id) {{ ... on BulkOperation {{ {OPERATION_FIELDS} }} }} }}"
CANCEL = f"mutation cancel($id: ID!) {{ bulkOperationCancel(id: $id) {{ bulkOperation {{ {OPERATION_FIELDS} }} userErrors {{ field message }} }} }}"
FINISHED = {"COMPLETED", "FAILED", "CANCELED", "EXPIRED"}


class BulkClientError(RuntimeError):
    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


@dataclass
class BulkClient:
    base_url: str
    token: str
    version: str = DEFAULT_VERSION
    timeout: float = 60.0

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout,
                                 headers={"X-Shopify-Access-Token": self.token})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> BulkClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, version: str | None = None,
                operation_name: str | None = None) -> dict[str, Any]:
        """The whole response body (``data``, ``errors``, ``extensions``)."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation_name:
            body["operationName"] = operation_name
        response = self.http.post(f"/admin/api/{version or self.version}/graphql.json", content=orjson.dumps(body),
                                  headers={"Content-Type": "application/json"})
        if response.status_code != 200:
            raise BulkClientError(f"HTTP {response.status_code}: {response.text[:500]}", response)
        return orjson.loads(response.content)

    def stage(self, data: bytes, filename: str = "bulk_op_vars.jsonl") -> str:
        """Reserve a staged upload, POST the file, and return the ``stagedUploadPath``."""
        body = self.graphql(STAGED_UPLOADS_CREATE, {"input": [{
            "resource": "BULK_MUTATION_VARIABLES", "filename": filename, "mimeType": "text/jsonl",
            "httpMethod": "POST"}]})
        payload = _payload(body, "stagedUploadsCreate")
        if payload["userErrors"]:
            raise BulkClientError("stagedUploadsCreate failed", payload["userErrors"])
        target = payload["stagedTargets"][0]
        fields = [(p["name"], p["value"]) for p in target["parameters"]]
        response = httpx.post(target["url"], data=dict(fields), files={"file": (filename, data, "text/jsonl")},
                              timeout=self.timeout)
        if response.status_code not in (200, 201, 204):
            raise BulkClientError(f"upload refused: HTTP {response.status_code} {response.text[:300]}", response)
        return dict(fields)["key"]

    def run_mutation(self, mutation: str, staged_upload_path: str, client_identifier: str | None = None
                     ) -> dict[str, Any]:
        """The ``bulkOperationRunMutation`` payload (``bulkOperation`` and ``userErrors``)."""
        if client_identifier is None:
            body = self.graphql(RUN_MUTATION_WITHOUT_IDENTIFIER, {"mutation": mutation, "path": staged_upload_path})
        else:
            body = self.graphql(RUN_MUTATION, {"mutation": mutation, "path": staged_upload_path,
                                               "clientIdentifier": client_identifier})
        return _payload(body, "bulkOperationRunMutation")

    def run_query(self, query: str, group_objects: bool = False) -> dict[str, Any]:
        body = self.graphql(RUN_QUERY, {"query": query, "groupObjects": group_objects})
        return _payload(body, "bulkOperationRunQuery")

    def operation(self, operation_id: str) -> dict[str, Any]:
        state = _payload(self.graphql(NODE_QUERY, {"id": operation_id}), "node")
        if state is None:
            raise BulkClientError(f"no bulk operation {operation_id} on this shop")
        return state

    def cancel(self, operation_id: str) -> dict[str, Any]:
        return _payload(self.graphql(CANCEL, {"id": operation_id}), "bulkOperationCancel")

    def follow(self, operation_id: str, interval: float = 0.2, timeout: float = 600.0) -> Iterator[dict[str, Any]]:
        """Each polled state, until the operation finishes."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.operation(operation_id)
            yield state
            if state["status"] in FINISHED:
                return
            if time.monotonic() > deadline:
                raise BulkClientError(f"operation {operation_id} still {state['status']} after {timeout}s", state)
            time.sleep(interval)

    def wait(self, operation_id: str, interval: float = 0.2, timeout: float = 600.0) -> dict[str, Any]:
        """The operation's final state (the last one ``follow`` yields)."""
        state: dict[str, Any] = {}
        for latest in self.follow(operation_id, interval, timeout):
            state = latest
        return state

    def download(self, url: str) -> bytes:
        response = httpx.get(url, timeout=self.timeout)
        if response.status_code != 200:
            raise BulkClientError(f"download failed: HTTP {response.status_code} {response.text[:300]}", response)
        return response.content

    def download_to(self, url: str, out: IO[bytes]) -> int:
        """Stream a result file into ``out`` (results can be larger than memory wants); returns its size."""
        size = 0
        with httpx.stream("GET", url, timeout=self.timeout) as response:
            if response.status_code != 200:
                response.read()
                raise BulkClientError(f"download failed: HTTP {response.status_code} {response.text[:300]}",
                                      response)
            for block in response.iter_bytes(1 << 20):
                out.write(block)
                size += len(block)
        return size

    def results(self, url: str) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.download(url).splitlines() if line.strip()]


def _payload(body: dict[str, Any], field: str) -> Any:
    """``data.<field>``, or a BulkClientError carrying the top-level ``errors`` (throttled, access denied, a
    version the shop does not serve) when the field did not resolve."""
    data = body.get("data") or {}
    if field not in data or (data[field] is None and body.get("errors")):
        messages = "; ".join(str(e.get("message")) for e in body.get("errors") or []) or "no data in the response"
        raise BulkClientError(f"{field}: {messages}", body.get("errors"))
    return data[field]
