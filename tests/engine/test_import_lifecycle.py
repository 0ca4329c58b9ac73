"""An import's life over HTTP: per-line results, cancel, crash and resume, failure, time limit, expiry (spec 3.5-3.6,
5, 7): one end-to-end case of each; the engine's rules behind them are specified in-process (test_engine_rules.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.client import BulkClient
from tests.server import InProcessServer, ServerProcess

CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id title } userErrors { field message } } }")
STAGE_PUT = """mutation { stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, filename: "big.jsonl",
  mimeType: "text/jsonl", httpMethod: PUT}]) { stagedTargets { url } } }"""


def products_jsonl(count: int, prefix: str = "Board") -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"{prefix} {i}", "vendor": "Bulk"}}) + b"\n"
                    for i in range(count))


def wait_for_progress(client: BulkClient, operation_id: str, at_least: int = 1, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.operation(operation_id)
        if int(state["objectCount"]) >= at_least or state["status"] not in ("CREATED", "RUNNING"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"no progress on {operation_id}")


def line_numbers(client: BulkClient, url: str) -> list[int]:
    return [line["__lineNumber"] for line in client.results(url)]


def products_in_db(server: ServerProcess | InProcessServer, shop_id: int) -> list[str]:
    with sqlite3.connect(server.data_dir / "bulkops.db") as db:
        return [r[0] for r in db.execute("select title from products where shop_id = ?", (shop_id,))]


def test_every_line_gets_its_result_and_bad_lines_stay_on_their_line(shop_client: BulkClient) -> None:
    lines = (b'{"product": {"title": "Good"}}\n'
             b'{"product": {"title": ""}}\n'
             b"this is not json\n"
             b'["an", "array"]\n'
             b'{"product": {"title": "x", "myfavoriteaddress": "test1"}}\n'
             b"\n"
             b'{"product": {"title": "Last"}}\n')
    done = shop_client.wait(shop_client.run_mutation(CREATE, shop_client.stage(lines))["bulkOperation"]["id"])

    results = {line.pop("__lineNumber"): line for line in shop_client.results(done["url"])}

    assert done["status"] == "COMPLETED" and done["objectCount"] == "6"
    assert sorted(results) == [0, 1, 2, 3, 4, 6]
    assert results[0]["data"]["productCreate"]["product"]["title"] == "Good"
    assert results[1] == {"data": {"productCreate": {"product": None, "userErrors": [
        {"field": ["title"], "message": "Title can't be blank"}]}}}
    assert results[2]["errors"][0]["message"].startswith("Failed to parse the JSONL line")
    assert results[3]["errors"][0]["message"].startswith("Each JSONL line must be a JSON object")
    assert results[4]["errors"][0]["message"] == (
        "Variable $product of type ProductCreateInput! was provided invalid value for myfavoriteaddress "
        "(Field is not defined on ProductCreateInput)")
    assert results[4]["errors"][0]["extensions"]["problems"] == [
        {"path": ["myfavoriteaddress"], "explanation": "Field is not defined on ProductCreateInput"}]
    assert results[6]["data"]["productCreate"]["product"]["title"] == "Last"


def test_a_line_that_fails_validation_leaves_nothing_behind(server: ServerProcess) -> None:
    shop = server.new_shop()
    client = server.client(shop)
    lines = b'{"product": {"title": ""}}\n{"product": {"title": "Kept", "handle": "kept"}}\n' \
            b'{"product": {"title": "Clash", "handle": "kept"}}\n'

    done = client.wait(client.run_mutation(CREATE, client.stage(lines))["bulkOperation"]["id"])
    results = client.results(done["url"])

    assert products_in_db(server, shop.id) == ["Kept"]
    assert results[2]["data"]["productCreate"]["userErrors"] == [
        {"field": ["handle"], "message": "Handle 'kept' already in use. Please provide a new handle."}]


def test_an_unimplemented_mutation_answers_a_clear_error_on_every_line(shop_client: BulkClient) -> None:
    mutation = ("mutation sub($id: ID!) { subscriptionContractActivate(subscriptionContractId: $id) "
                "{ userErrors { message } } }")
    path = shop_client.stage(b'{"id": "gid://shopify/SubscriptionContract/1"}\n')

    done = shop_client.wait(shop_client.run_mutation(mutation, path)["bulkOperation"]["id"])
    (line,) = shop_client.results(done["url"])

    assert done["status"] == "COMPLETED"
    assert line["errors"][0]["extensions"]["code"] == "NOT_IMPLEMENTED"
    assert "subscriptionContractActivate" in line["errors"][0]["message"]


def test_a_schema_invalid_inner_mutation_reports_its_errors_on_each_line(shop_client: BulkClient) -> None:
    mutation = "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { nope } }"

    done = shop_client.wait(shop_client.run_mutation(mutation, shop_client.stage(products_jsonl(2)))
                            ["bulkOperation"]["id"])
    lines = shop_client.results(done["url"])

    assert [line["__lineNumber"] for line in lines] == [0, 1]
    assert all(line["errors"][0]["message"] == "Field 'nope' doesn't exist on type 'ProductCreatePayload'"
               for line in lines)


def test_the_result_download_is_jsonl_named_after_the_operation(shop_client: BulkClient) -> None:
    done = shop_client.wait(shop_client.run_mutation(CREATE, shop_client.stage(products_jsonl(1)))
                            ["bulkOperation"]["id"])

    response = httpx.get(done["url"])

    number = done["id"].rsplit("/", 1)[1]
    assert response.headers["content-type"] == "application/jsonl"
    assert f'filename="bulk-{number}.jsonl"' in response.headers["content-disposition"]
    assert httpx.get(done["url"].replace("Signature=", "Signature=0")).status_code == 403


def test_an_import_of_several_chunks_has_exactly_one_result_per_line(server: ServerProcess) -> None:
    shop = server.new_shop()
    client = server.client(shop)

    done = client.wait(client.run_mutation(CREATE, client.stage(products_jsonl(2_000)))["bulkOperation"]["id"],
                       timeout=300)

    assert done["status"] == "COMPLETED"
    assert done["objectCount"] == done["rootObjectCount"] == "2000"
    assert sorted(line_numbers(client, done["url"])) == list(range(2_000))
    assert len(products_in_db(server, shop.id)) == 2_000


@pytest.fixture(scope="module")
def chunky_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """Small chunks, so a run spans many of them and can be stopped part-way."""
    process = InProcessServer(Path(tmp_path_factory.mktemp("chunky")), {"chunk_lines": 25}).start()
    yield process
    process.stop()


def test_cancel_stops_a_running_import_and_keeps_what_was_done(chunky_server: InProcessServer) -> None:
    shop = chunky_server.new_shop()
    client = chunky_server.client(shop)
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(20_000)))["bulkOperation"]["id"]
    wait_for_progress(client, operation)

    canceling = client.cancel(operation)
    done = client.wait(operation, timeout=30)

    assert canceling["userErrors"] == []
    assert canceling["bulkOperation"]["status"] in ("CANCELING", "CANCELED")
    assert done["status"] == "CANCELED" and done["completedAt"] is None
    kept = int(done["objectCount"])
    assert 0 < kept < 20_000
    assert line_numbers(client, done["url"]) == list(range(kept))
    assert len(products_in_db(chunky_server, shop.id)) == kept


def test_cancelling_a_finished_operation_says_it_cannot(shop_client: BulkClient) -> None:
    done = shop_client.wait(shop_client.run_mutation(CREATE, shop_client.stage(products_jsonl(1)))
                            ["bulkOperation"]["id"])

    payload = shop_client.cancel(done["id"])

    assert payload["bulkOperation"]["status"] == "COMPLETED"
    assert payload["userErrors"] == [{"field": None,
                                      "message": "A bulk operation cannot be canceled when it is completed"}]


def test_cancelling_an_unknown_operation_says_it_does_not_exist(shop_client: BulkClient) -> None:
    payload = shop_client.cancel("gid://shopify/BulkOperation/999999999")

    assert payload == {"bulkOperation": None, "userErrors": [{"field": ["id"],
                                                              "message": "Bulk operation does not exist"}]}


def test_a_server_killed_mid_import_resumes_without_losing_or_repeating_a_line(tmp_path: Path) -> None:
    lines = 1_200
    data_dir = tmp_path / "crash"
    first = ServerProcess(data_dir, env={"BULKOPS_CHUNK_LINES": "25"}).start()
    shop = first.new_shop()
    client = first.client(shop)
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(lines)))["bulkOperation"]["id"]
    wait_for_progress(client, operation, at_least=100)
    first.kill()
    status_at_kill, done_at_kill = stored_progress(first, operation)

    second = ServerProcess(data_dir, env={"BULKOPS_CHUNK_LINES": "25"}).start()
    try:
        done = second.client(shop).wait(operation, timeout=600)
        results = second.client(shop).results(done["url"])
    finally:
        second.stop()

    assert status_at_kill == "RUNNING" and 0 < done_at_kill < lines
    assert done["status"] == "COMPLETED" and done["objectCount"] == str(lines)
    assert sorted(line["__lineNumber"] for line in results) == list(range(lines))
    titles = products_in_db(second, shop.id)
    assert sorted(titles) == sorted(f"Board {i}" for i in range(lines))
    ids = [line["data"]["productCreate"]["product"]["id"] for line in results]
    assert len(set(ids)) == lines


def stored_progress(server: ServerProcess, operation_id: str) -> tuple[str, int]:
    """What the database says of an operation (read while no server runs)."""
    with sqlite3.connect(server.data_dir / "bulkops.db") as db:
        status, count = db.execute("select status, object_count from bulk_operations where id = ?",
                                   (int(operation_id.rsplit("/", 1)[1]),)).fetchone()
    return status, count


def test_a_staged_file_changed_during_the_run_fails_it_with_partial_data(chunky_server: InProcessServer) -> None:
    client = chunky_server.client(chunky_server.new_shop())
    url = client.graphql(STAGE_PUT)["data"]["stagedUploadsCreate"]["stagedTargets"][0]["url"]
    httpx.put(url, content=products_jsonl(20_000), headers={"Content-Type": "text/jsonl"})
    path = httpx.URL(url).path.removeprefix("/")
    operation = client.run_mutation(CREATE, path)["bulkOperation"]["id"]
    wait_for_progress(client, operation)

    httpx.put(url, content=products_jsonl(5), headers={"Content-Type": "text/jsonl"})
    done = client.wait(operation, timeout=60)

    assert done["status"] == "FAILED" and done["errorCode"] == "INTERNAL_SERVER_ERROR"
    assert done["url"] is None and done["completedAt"] is not None
    partial = line_numbers(client, done["partialDataUrl"])
    assert partial == list(range(len(partial))) and 0 < len(partial) < 20_000


def test_an_import_past_its_time_limit_fails_with_timeout(failing_server: InProcessServer) -> None:
    client = failing_server.client(failing_server.new_shop())

    done = client.wait(client.run_mutation(CREATE, client.stage(products_jsonl(3)))["bulkOperation"]["id"])

    assert done["status"] == "FAILED" and done["errorCode"] == "TIMEOUT"
    assert done["completedAt"] is not None and done["url"] is None and done["partialDataUrl"] is None


def test_results_expire_after_their_lifetime(clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop())
    done = client.wait(client.run_mutation(CREATE, client.stage(products_jsonl(1)))["bulkOperation"]["id"])
    lifetime = clocked_server.settings.result_url_ttl_s

    clocked_server.advance(lifetime)
    fresh = httpx.get(done["url"]).status_code
    at_the_last_second = client.operation(done["id"])["status"]
    clocked_server.advance(1)
    expired = wait_for_status(client, done["id"], "EXPIRED")
    stale = httpx.get(done["url"])

    expires = int(httpx.URL(done["url"]).params["Expires"])
    completed = datetime.fromisoformat(done["completedAt"].replace("Z", "+00:00")).timestamp()
    assert fresh == 200 and at_the_last_second == "COMPLETED"
    assert expires - completed == lifetime
    assert expired["status"] == "EXPIRED"
    assert stale.status_code == 400 and "ExpiredToken" in stale.text


def wait_for_status(client: BulkClient, operation_id: str, status: str, timeout: float = 30) -> dict:
    """The server's upkeep runs every second: poll until it has acted."""
    deadline = time.monotonic() + timeout
    while (state := client.operation(operation_id))["status"] != status:
        assert time.monotonic() < deadline, f"{operation_id} never became {status}: {state}"
        time.sleep(0.05)
    return state
