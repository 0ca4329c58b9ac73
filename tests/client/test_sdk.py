"""The SDK as a script uses it: ``from bulkops.client import BulkClient`` (or ``AsyncBulkClient``), typed results
(``BulkOperation``, ``StagedTarget``, ``ImportReport``), against the server in this process."""

from __future__ import annotations

import asyncio
import inspect
import io
from pathlib import Path

import orjson

from bulkops.client import AsyncBulkClient, BulkClient, BulkOperation, ImportReport, LineFailure, StagedTarget
from bulkops.testing import InProcessServer

CREATE_PRODUCT = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title } userErrors { field message } } }"
)
PRODUCTS_QUERY = "{ products { edges { node { id title } } } }"


def products_file(path: Path, *titles: str) -> Path:
    path.write_bytes(b"".join(orjson.dumps({"product": {"title": t}}) + b"\n" for t in titles))
    return path


def test_import_file_returns_the_report_with_the_files_line_numbers(tmp_path: Path, client_server: InProcessServer
                                                                    ) -> None:
    shop = client_server.new_shop("sdk")
    source = products_file(tmp_path / "products.jsonl", "One", "", "Three", "Four")

    with BulkClient(client_server.base_url, shop.access_token) as client:
        report = client.import_file(source, CREATE_PRODUCT, lines="2-4", interval=0.02,
                                    failures=tmp_path / "failures.jsonl")

    assert isinstance(report, ImportReport)
    assert [type(o) for o in report.operations] == [BulkOperation] and report.status == "COMPLETED"
    assert (report.lines, report.tally.succeeded, report.tally.failed, report.exit_code) == (3, 2, 1, 1)
    assert report.tally.first_failures == [LineFailure(1, [{"field": ["title"], "message": "Title can't be blank"}])]
    assert (tmp_path / "products.failed.jsonl").read_bytes() == b'{"product":{"title":""}}\n'


def test_export_streams_the_jsonl_and_operations_lists_typed_states(tmp_path: Path, client_server: InProcessServer
                                                                    ) -> None:
    shop = client_server.new_shop("sdk")
    with BulkClient(client_server.base_url, shop.access_token) as client:
        client.import_file(products_file(tmp_path / "p.jsonl", "Exported"), CREATE_PRODUCT, interval=0.02)
        out = io.BytesIO()

        exported = client.export(PRODUCTS_QUERY, out, interval=0.02)
        listed = client.operations(limit=5)
        imports = client.operations(operation_type="mutation", status="completed")

    assert exported.status == "COMPLETED" and exported.object_count == 1 and exported.type == "QUERY"
    assert [orjson.loads(raw)["title"] for raw in out.getvalue().splitlines()] == ["Exported"]
    assert [o.type for o in listed] == ["QUERY", "MUTATION"] and listed[0] == exported
    assert [o.type for o in imports] == ["MUTATION"]


def test_the_async_client_stages_runs_and_awaits_an_import(tmp_path: Path, client_server: InProcessServer) -> None:
    shop = client_server.new_shop("async")
    source = products_file(tmp_path / "products.jsonl", "Awaited")

    async def run() -> tuple[StagedTarget, BulkOperation]:
        async with AsyncBulkClient(client_server.base_url, shop.access_token) as client:
            target = await client.stage_file(source)
            started = await client.run_mutation(CREATE_PRODUCT, target.staged_upload_path)
            return target, await client.await_operation(started["bulkOperation"]["id"], interval=0.02)

    target, operation = asyncio.run(run())

    assert target.staged_upload_path == dict(target.parameters)["key"]
    assert operation.status == "COMPLETED" and operation.object_count == 1 and operation.url


def test_the_async_client_imports_a_file_in_parts_and_exports_what_it_made(tmp_path: Path,
                                                                          client_server: InProcessServer) -> None:
    shop = client_server.new_shop("async")
    source = products_file(tmp_path / "products.jsonl", "First", "", "Third")
    size_of_one_line = len(orjson.dumps({"product": {"title": "First"}})) + 1

    async def run() -> tuple[ImportReport, BulkOperation, bytes, list[dict[str, object]]]:
        async with AsyncBulkClient(client_server.base_url, shop.access_token) as client:
            report = await client.import_file(source, CREATE_PRODUCT, max_bytes=size_of_one_line, interval=0.02,
                                              failures=tmp_path / "failures.jsonl")
            out = io.BytesIO()
            exported = await client.export(PRODUCTS_QUERY, out, interval=0.02)
            assert exported.result_url is not None
            return report, exported, out.getvalue(), await client.results(exported.result_url)

    report, exported, jsonl, results = asyncio.run(run())

    assert [o.status for o in report.operations] == ["COMPLETED"] * 3  # one part a line, run in sequence
    assert (report.lines, report.tally.succeeded, report.tally.failed, report.exit_code) == (3, 2, 1, 1)
    assert report.tally.first_failures == [LineFailure(1, [{"field": ["title"], "message": "Title can't be blank"}])]
    assert (tmp_path / "products.failed.jsonl").read_bytes() == b'{"product":{"title":""}}\n'
    assert exported.status == "COMPLETED" and exported.object_count == 2
    assert sorted(r["title"] for r in results) == ["First", "Third"]  # type: ignore[type-var]
    assert [orjson.loads(raw) for raw in jsonl.splitlines()] == results


def test_every_method_of_the_sync_client_has_an_awaitable_twin_taking_the_same_arguments() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {name: inspect.signature(member) for name, member in vars(cls).items()
                if callable(member) and not name.startswith("_")}

    sync, awaited = public(BulkClient), public(AsyncBulkClient)
    lifecycle = {"close": "aclose"}

    for name, signature in sync.items():
        twin = lifecycle.get(name, name)
        assert twin in awaited, f"AsyncBulkClient has no {twin}"
        member = getattr(AsyncBulkClient, twin)
        assert inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member), twin
        assert list(awaited[twin].parameters) == list(signature.parameters), twin


def test_the_async_client_reads_an_operation_and_stages_bytes(client_server: InProcessServer) -> None:
    shop = client_server.new_shop("async")

    async def run() -> tuple[dict[str, object], list[str]]:
        async with AsyncBulkClient(client_server.base_url, shop.access_token) as client:
            path = await client.stage(orjson.dumps({"product": {"title": "Staged bytes"}}) + b"\n")
            started = await client.run_mutation(CREATE_PRODUCT, path)
            states = [state["status"] async for state in client.follow(started["bulkOperation"]["id"], 0.02)]
            return await client.operation(started["bulkOperation"]["id"]), states

    final, states = asyncio.run(run())

    assert final["status"] == "COMPLETED" and final["objectCount"] == "1"
    assert states[-1] == "COMPLETED" and set(states) <= {"CREATED", "RUNNING", "COMPLETED"}
