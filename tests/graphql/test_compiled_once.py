"""A bulk operation's document is parsed once per process, and a bulk query's export plan is compiled once: at
creation, then kept for this process's worker (in-process, on a real SQLite database, with a frozen clock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import DocumentNode
from graphql.language.parser import Parser

from bulkops.app.bootstrap import build_runtime
from bulkops.app.deployment import secret_box
from bulkops.clock import FrozenClock
from bulkops.config import Settings
from bulkops.domain.shops.rules import create_shop
from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import Status
from bulkops.engine.runtime import Runtime
from bulkops.graphql.execution import execute_request
from bulkops.protocol.ids import parse_gid

VERSION = "2026-10"
RUN_QUERY = """mutation($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
}"""
RUN_MUTATION = """mutation($mutation: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) {
    bulkOperation { id status } userErrors { field message code }
  }
}"""


def _embedded(data_dir: Path) -> tuple[Runtime, Any]:
    runtime = build_runtime(Settings(data_dir=data_dir, helper_processes=0), clock=FrozenClock())
    with runtime.db.write() as conn:
        shop = create_shop(conn, "compiled-once", runtime.clock.now(), secret_box(runtime.settings))
    return runtime, shop


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[Runtime, Any]]:
    runtime, shop = _embedded(tmp_path)
    yield runtime, shop
    runtime.db.dispose()


def _request(runtime: Runtime, shop: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    return execute_request(runtime, shop, VERSION, "http://bulkops.test", query, variables, None)


def _operation_id(response: dict[str, Any], root: str) -> int:
    payload = response["data"][root]
    assert payload["userErrors"] == [], payload
    return parse_gid(payload["bulkOperation"]["id"])[1]


def test_a_bulk_query_is_compiled_at_creation_and_the_worker_runs_that_plan(embedded: tuple[Runtime, Any]) -> None:
    runtime, shop = embedded
    query = "{ products(query: \"title:compiled-once-1\") { edges { node { id title } } } }"
    operation_id = _operation_id(_request(runtime, shop, RUN_QUERY, {"query": query}), "bulkOperationRunQuery")
    kept = runtime.kept_plans.take(operation_id)
    assert kept is not None, "the plan compiled at creation is kept for this runtime's worker"
    runtime.kept_plans.keep(operation_id, kept)

    runtime.engine.run(operation_id, "test-worker")

    assert runtime.kept_plans.take(operation_id) is None, "the worker took the kept plan instead of compiling another"
    with runtime.db.read() as conn:
        op = ops.get(conn, operation_id)
    assert op is not None and op.status is Status.COMPLETED


def test_two_runtimes_in_one_process_keep_their_own_plans_under_the_same_operation_id(tmp_path: Path) -> None:
    """Each runtime has its own database, so its own operation ids: the same id and query text in both compile
    two plans (each reads its own shop), and each runtime's worker must get its own."""
    first, second = _embedded(tmp_path / "first"), _embedded(tmp_path / "second")
    query = "{ products { edges { node { id } } } }"
    try:
        ids = [_operation_id(_request(runtime, shop, RUN_QUERY, {"query": query}), "bulkOperationRunQuery")
               for runtime, shop in (first, second)]
        plans = [runtime.kept_plans.take(operation_id) for (runtime, _), operation_id in zip((first, second), ids,
                                                                                              strict=True)]
    finally:
        first[0].db.dispose()
        second[0].db.dispose()

    assert ids[0] == ids[1]
    assert plans[0] is not None and plans[1] is not None and plans[0] is not plans[1]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text graphql-core parses from now on."""
    texts: list[str] = []
    original = Parser.parse_document

    def parse_document(self: Parser) -> DocumentNode:
        texts.append(self._lexer.source.body)
        return original(self)

    monkeypatch.setattr(Parser, "parse_document", parse_document)
    return texts


def test_a_bulk_mutation_document_is_parsed_once_in_this_process(embedded: tuple[Runtime, Any],
                                                                parsed: list[str]) -> None:
    runtime, shop = embedded
    document = "mutation parsedOnce($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }"
    path = f"tmp/{shop.id}/parsed-once/lines.jsonl"
    runtime.store.put(path, b'{"product": {"title": "Parsed once"}}\n')

    response = _request(runtime, shop, RUN_MUTATION, {"mutation": document, "path": path})
    operation_id = _operation_id(response, "bulkOperationRunMutation")
    runtime.engine.run(operation_id, "test-worker")

    with runtime.db.read() as conn:
        op = ops.get(conn, operation_id)
    assert op is not None and op.status is Status.COMPLETED and op.object_count == 1
    assert parsed.count(document) == 1, "checked at creation and run by the worker: parsed once"
