"""The control plane's seeded faults (issue 17): each type, through ``ControlPlane``, against a server in this
process on a frozen clock. Each test has its own shop (faults match it) and the faults are cleared after it.
CRASH_WORKER, which ends the process, is exercised with a real ``bulkops serve`` in test_control_crash.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from bulkops.client import BulkClient
from bulkops.client.control import ControlPlaneError
from bulkops.domain.shops.rules import Shop
from bulkops.testing import ControlPlane, InProcessServer, token_of
from tests.app.emulation import BY_ID, eventually, products, read, start_import


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    server = InProcessServer(tmp_path_factory.mktemp("faults"), {"workers": 4}).start()
    yield server
    server.stop()


@pytest.fixture
def control(emulator: InProcessServer) -> Iterator[ControlPlane]:
    with ControlPlane(emulator.base_url) as plane:
        yield plane
        plane.clear_faults()
        plane.clear_progression()


@pytest.fixture
def shop(emulator: InProcessServer) -> Shop:
    return emulator.new_shop("faults")


@pytest.fixture
def client(emulator: InProcessServer, shop: Shop) -> Iterator[BulkClient]:
    with emulator.client(shop) as bulk:
        yield bulk


def fault(shop: Shop, kind: str, **parameters: Any) -> dict[str, Any]:
    return {"type": kind, "match": {"shop": shop.domain}, **parameters}


def post_graphql(emulator: InProcessServer, shop: Shop, query: str) -> httpx.Response:
    """A raw request (the SDK would retry a 429 or a 5xx)."""
    return httpx.post(f"{emulator.base_url}/admin/api/2026-10/graphql.json", json={"query": query},
                      headers={"X-Shopify-Access-Token": token_of(shop)}, timeout=30)


def line_numbers(lines: list[dict[str, Any]]) -> list[int]:
    return [line["__lineNumber"] for line in lines]


def test_fail_operation_after_5_lines_with_partial_data_gives_failed_with_a_5_line_partial_file(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_faults(fault(shop, "FAIL_OPERATION", afterLines=5, partialData=True))
    op = start_import(client, 12)

    done = client.wait(op["id"], interval=0.05)

    assert (done["status"], done["errorCode"], done["url"]) == ("FAILED", "INTERNAL_SERVER_ERROR", None)
    assert line_numbers(client.results(read(client, BY_ID, op["id"])["partialDataUrl"])) == [0, 1, 2, 3, 4]
    assert control.faults()[0]["fired"] == 1


def test_fail_operation_without_partial_data_leaves_no_file_and_carries_the_error_code(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_faults(fault(shop, "FAIL_OPERATION", afterLines=2, errorCode="ACCESS_DENIED", partialData=False))
    op = start_import(client, 4)

    done = client.wait(op["id"], interval=0.05)
    state = read(client, BY_ID, op["id"])

    assert (done["status"], done["errorCode"]) == ("FAILED", "ACCESS_DENIED")
    assert (state["url"], state["partialDataUrl"]) == (None, None)


def test_a_fault_set_to_once_strikes_only_the_first_operation(control: ControlPlane, client: BulkClient,
                                                              shop: Shop) -> None:
    control.set_faults(fault(shop, "FAIL_OPERATION", afterLines=1, times=1))

    first = client.wait(start_import(client, 2)["id"], interval=0.05)
    second = client.wait(start_import(client, 2)["id"], interval=0.05)

    assert (first["status"], second["status"]) == ("FAILED", "COMPLETED")


def test_line_errors_on_named_lines_put_shopifys_throttled_error_there_and_run_the_rest(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_faults(fault(shop, "LINE_ERROR", lines=[1, 3], error="THROTTLED"))
    op = start_import(client, 5)

    done = client.wait(op["id"], interval=0.05)
    lines = client.results(done["url"])

    assert done["status"] == "COMPLETED"
    assert line_numbers(lines) == [0, 1, 2, 3, 4]
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    assert [lines[1]["errors"], lines[3]["errors"]] == [throttled["errors"]] * 2
    assert [line["data"]["productCreate"]["product"]["title"] for line in (lines[0], lines[2], lines[4])] == [
        "Board 0", "Board 2", "Board 4"]
    titles = client.graphql("{ products(first: 10) { nodes { title } } }")["data"]["products"]["nodes"]
    assert sorted(node["title"] for node in titles) == ["Board 0", "Board 2", "Board 4"]


def test_line_errors_by_probability_strike_the_same_lines_for_the_same_seed(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    struck: list[list[int]] = []
    for _ in range(2):
        control.set_faults(fault(shop, "LINE_ERROR", probability=0.5, seed=7, error="INTERNAL_SERVER_ERROR"))
        done = client.wait(start_import(client, 20)["id"], interval=0.05)
        struck.append([line["__lineNumber"] for line in client.results(done["url"]) if "errors" in line])

    assert struck[0] == struck[1]
    assert 0 < len(struck[0]) < 20


def test_stuck_running_holds_the_operation_until_the_fault_is_deleted(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_faults(fault(shop, "STUCK", status="RUNNING"))
    op = start_import(client, 3)
    eventually(client, op["id"], "RUNNING")

    held = [read(client, BY_ID, op["id"]) for _ in range(5)]
    control.clear_faults()

    assert {(s["status"], s["objectCount"]) for s in held} == {("RUNNING", "0")}
    assert eventually(client, op["id"], "COMPLETED")["objectCount"] == "3"


def test_stuck_created_keeps_the_operation_created(control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_faults(fault(shop, "STUCK", status="CREATED"))
    op = start_import(client, 2)

    time.sleep(0.2)
    assert read(client, BY_ID, op["id"])["status"] == "CREATED"
    control.clear_faults()
    assert eventually(client, op["id"], "COMPLETED")["objectCount"] == "2"


def test_stuck_canceling_keeps_a_canceled_operation_canceling(control: ControlPlane, client: BulkClient,
                                                              shop: Shop) -> None:
    control.set_progression({"match": {"shop": shop.domain}, "mode": "manual"})
    control.set_faults(fault(shop, "STUCK", status="CANCELING"))
    op = start_import(client, 2)
    eventually(client, op["id"], "RUNNING")
    client.cancel(op["id"])

    time.sleep(0.2)
    assert read(client, BY_ID, op["id"])["status"] == "CANCELING"
    control.clear_faults()
    assert eventually(client, op["id"], "CANCELED")["status"] == "CANCELED"


def test_a_429_fault_answers_with_shopifys_throttled_body_and_cost_then_passes(
        control: ControlPlane, emulator: InProcessServer, shop: Shop) -> None:
    control.set_faults(fault(shop, "GRAPHQL_HTTP", status=429, times=1))

    throttled = post_graphql(emulator, shop, "{ shop { name } }")
    after = post_graphql(emulator, shop, "{ shop { name } }")

    assert throttled.status_code == 429
    body = throttled.json()
    assert body["errors"] == [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
    cost = body["extensions"]["cost"]
    assert cost["actualQueryCost"] is None and cost["requestedQueryCost"] == 1
    assert cost["throttleStatus"] == {"maximumAvailable": 2000.0, "currentlyAvailable": 0, "restoreRate": 100.0}
    assert "data" not in body
    assert after.status_code == 200 and after.json()["data"]["shop"]["name"]


@pytest.mark.parametrize(("status", "code"), [(500, "INTERNAL_SERVER_ERROR"), (503, "SERVICE_UNAVAILABLE")])
def test_a_5xx_fault_answers_that_status_with_an_error_envelope(
        control: ControlPlane, emulator: InProcessServer, shop: Shop, status: int, code: str) -> None:
    control.set_faults(fault(shop, "GRAPHQL_HTTP", status=status))

    answered = post_graphql(emulator, shop, "{ shop { name } }")

    assert answered.status_code == status
    assert answered.json()["errors"][0]["extensions"]["code"] == code


def test_a_fault_for_another_shop_leaves_this_one_alone(control: ControlPlane, emulator: InProcessServer,
                                                        shop: Shop) -> None:
    control.set_faults({"type": "GRAPHQL_HTTP", "status": 503, "match": {"shop": "someone-else.myshopify.com"}})

    assert post_graphql(emulator, shop, "{ shop { name } }").status_code == 200


def test_probability_and_seed_make_request_faults_repeatable(control: ControlPlane, emulator: InProcessServer,
                                                              shop: Shop) -> None:
    runs = []
    for _ in range(2):
        control.set_faults(fault(shop, "GRAPHQL_HTTP", status=503, probability=0.5, seed=3))
        runs.append([post_graphql(emulator, shop, "{ shop { name } }").status_code for _ in range(12)])

    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 503}


def test_an_upload_reject_fault_answers_the_upload_with_the_storages_xml_error(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_faults(fault(shop, "UPLOAD_REJECT", times=1))

    with pytest.raises(Exception, match="AccessDenied"):
        client.stage(products(1))
    assert client.stage(products(1)).startswith("tmp/")


def test_a_download_fail_fault_for_one_operation_fails_its_result_download_with_a_500(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    first = client.wait(start_import(client, 1)["id"], interval=0.05)
    other = client.wait(start_import(client, 1)["id"], interval=0.05)
    control.set_faults({"type": "DOWNLOAD_FAIL", "match": {"operationId": first["id"]}})

    failed, served = httpx.get(first["url"], timeout=30), httpx.get(other["url"], timeout=30)

    assert failed.status_code == 500
    assert b"<Code>InternalError</Code>" in failed.content
    assert served.status_code == 200


def test_latency_delays_the_answer_by_at_least_its_milliseconds(
        control: ControlPlane, emulator: InProcessServer, shop: Shop) -> None:
    control.set_faults(fault(shop, "LATENCY", ms=300))

    started = time.monotonic()
    answered = post_graphql(emulator, shop, "{ shop { name } }")

    assert answered.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_faults_are_listed_with_their_counts_and_deleted(control: ControlPlane, shop: Shop) -> None:
    [stored] = control.set_faults(fault(shop, "CRASH_WORKER", afterLines=10))

    assert control.faults() == [stored]
    assert (stored["type"], stored["afterLines"], stored["times"], stored["fired"]) == ("CRASH_WORKER", 10, 1, 0)
    assert control.clear_faults() == 1
    assert control.faults() == []


@pytest.mark.parametrize(("raw", "message"), [
    ({"type": "EXPLODE"}, "fault type must be one of FAIL_OPERATION, LINE_ERROR, CRASH_WORKER, STUCK, "
                          "GRAPHQL_HTTP, UPLOAD_REJECT, DOWNLOAD_FAIL, WEBHOOK_FAIL, LATENCY"),
    ({"type": "GRAPHQL_HTTP", "status": 418}, "GRAPHQL_HTTP needs status 429, 500 or 503"),
    ({"type": "FAIL_OPERATION"}, "FAIL_OPERATION needs afterLines"),
    ({"type": "FAIL_OPERATION", "afterLines": 1, "errorCode": "OOPS"},
     "errorCode must be one of ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT"),
    ({"type": "LINE_ERROR"}, "LINE_ERROR needs lines or probability"),
    ({"type": "LATENCY", "ms": 5, "probability": 2}, "probability must be a number from 0 to 1"),
    ({"type": "STUCK", "status": "COMPLETED"}, "STUCK needs status CREATED, RUNNING, CANCELING"),
    ({"type": "LATENCY", "ms": 5, "seconds": 1}, "LATENCY does not take seconds"),
])
def test_a_bad_fault_is_refused_with_400_and_what_is_wrong(control: ControlPlane, raw: dict[str, Any],
                                                          message: str) -> None:
    with pytest.raises(ControlPlaneError) as refused:
        control.set_faults(raw)

    assert (refused.value.status, refused.value.message) == (400, message)


def test_a_body_that_is_not_json_is_refused(emulator: InProcessServer) -> None:
    answered = httpx.put(f"{emulator.base_url}/__bulkops/faults", content=b"{nope", timeout=30)

    assert (answered.status_code, orjson.loads(answered.content)) == (400, {"error": "the body is not valid JSON"})
