"""The control plane's progression rules and ``advance`` (issue 17): operations held, stepped per poll, paced on
the server's clock, delayed at start and at cancel, moved by hand. Through ``ControlPlane`` against a server in
this process on a frozen clock; each test has its own shop and the rules are cleared after it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bulkops.client import BulkClient
from bulkops.client.control import ControlPlaneError
from bulkops.domain.shops.rules import Shop
from bulkops.testing import ControlPlane, InProcessServer
from tests.app.emulation import BY_ID, BY_NODE, CURRENT, LISTED, eventually, read, start_import


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    server = InProcessServer(tmp_path_factory.mktemp("progression"), {"workers": 4}).start()
    yield server
    server.stop()


@pytest.fixture
def control(emulator: InProcessServer) -> Iterator[ControlPlane]:
    with ControlPlane(emulator.base_url) as plane:
        yield plane
        plane.clear_progression()
        plane.clear_faults()


@pytest.fixture
def shop(emulator: InProcessServer) -> Shop:
    return emulator.new_shop("progression")


@pytest.fixture
def client(emulator: InProcessServer, shop: Shop) -> Iterator[BulkClient]:
    with emulator.client(shop) as bulk:
        yield bulk


def mine(shop: Shop, **rule: Any) -> dict[str, Any]:
    return {"match": {"shop": shop.domain}, **rule}


def test_manual_holds_an_import_running_through_20_polls_and_advance_moves_its_counters_then_its_status(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="manual"))
    op = start_import(client, 4)
    assert op["status"] == "CREATED"
    eventually(client, op["id"], "RUNNING")

    states = [read(client, BY_ID, op["id"]) for _ in range(20)]

    assert {(s["status"], s["objectCount"]) for s in states} == {("RUNNING", "0")}
    moved = control.advance(op["id"], lines=2)
    assert (moved.status, moved.object_count, moved.lines_done) == ("RUNNING", 2, 2)
    assert read(client, BY_ID, op["id"])["objectCount"] == "2"
    done = control.advance(op["id"], to="COMPLETED")
    assert (done.status, done.object_count) == ("COMPLETED", 4)
    lines = client.results(read(client, BY_ID, op["id"])["url"])
    assert [line["__lineNumber"] for line in lines] == [0, 1, 2, 3]


def test_advance_to_failed_ends_the_operation_failed_with_the_lines_done_as_partial_data(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="manual"))
    op = start_import(client, 3)
    control.advance(op["id"], lines=1)

    failed = control.advance(op["id"], to="FAILED")

    assert (failed.status, failed.error_code) == ("FAILED", "INTERNAL_SERVER_ERROR")
    state = read(client, BY_ID, op["id"])
    assert [line["__lineNumber"] for line in client.results(state["partialDataUrl"])] == [0]


def test_advance_to_canceled_then_expired(control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="manual"))
    op = start_import(client, 3)

    assert control.advance(op["id"], to="CANCELED").status == "CANCELED"
    assert control.advance(op["id"], to="EXPIRED").status == "EXPIRED"
    assert read(client, BY_ID, op["id"])["url"] is None


def test_advance_refuses_to_expire_an_unfinished_operation_and_names_an_unknown_one(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="manual"))
    op = start_import(client, 1)

    with pytest.raises(ControlPlaneError) as unfinished:
        control.advance(op["id"], to="EXPIRED")
    with pytest.raises(ControlPlaneError) as unknown:
        control.advance("gid://shopify/BulkOperation/999999", lines=1)

    assert unfinished.value.status == 409
    assert "only a finished operation can expire" in unfinished.value.message
    assert (unknown.value.status, unknown.value.message) == (404, "Bulk operation does not exist")


def test_polls_mode_takes_one_step_per_read_through_bulkOperation_node_and_currentBulkOperation(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="polls"))
    op = start_import(client, 3)

    seen = [read(client, BY_ID, op["id"]), read(client, BY_NODE, op["id"]), read(client, CURRENT),
            read(client, LISTED)]

    assert [(s["status"], s["objectCount"]) for s in seen] == [
        ("RUNNING", "1"), ("RUNNING", "2"), ("RUNNING", "3"), ("COMPLETED", "3")]


def test_polls_mode_steps_every_n_reads_by_lines_per_step(control: ControlPlane, client: BulkClient,
                                                          shop: Shop) -> None:
    control.set_progression(mine(shop, mode="polls", pollsPerStep=2, linesPerStep=3))
    op = start_import(client, 10)

    counts = [read(client, BY_ID, op["id"])["objectCount"] for _ in range(4)]

    assert counts == ["0", "3", "3", "6"]


def test_immediate_mode_is_done_before_the_next_read_though_created_says_created(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="immediate"))
    op = start_import(client, 30)

    assert op["status"] == "CREATED"
    state = read(client, BY_ID, op["id"])
    assert (state["status"], state["objectCount"]) == ("COMPLETED", "30")


def test_rate_mode_runs_lines_per_second_of_the_servers_clock(
        control: ControlPlane, emulator: InProcessServer, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="rate", linesPerSecond=2))
    op = start_import(client, 5)
    eventually(client, op["id"], "RUNNING", "0")

    emulator.advance(1)
    eventually(client, op["id"], "RUNNING", "2")
    emulator.advance(2)

    assert eventually(client, op["id"], "COMPLETED")["objectCount"] == "5"


def test_a_start_delay_keeps_the_operation_created_until_the_clock_passes_it(
        control: ControlPlane, emulator: InProcessServer, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, startDelaySeconds=60))
    op = start_import(client, 2)

    held = [read(client, BY_ID, op["id"])["status"] for _ in range(3)]
    emulator.advance(61)

    assert held == ["CREATED"] * 3
    assert eventually(client, op["id"], "COMPLETED")["objectCount"] == "2"


def test_a_cancel_delay_keeps_a_canceled_operation_canceling_until_the_clock_passes_it(
        control: ControlPlane, emulator: InProcessServer, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="manual", cancelDelaySeconds=30))
    op = start_import(client, 3)
    eventually(client, op["id"], "RUNNING")

    assert client.cancel(op["id"])["bulkOperation"]["status"] == "CANCELING"
    time.sleep(0.2)
    assert read(client, BY_ID, op["id"])["status"] == "CANCELING"
    emulator.advance(31)
    assert eventually(client, op["id"], "CANCELED")["objectCount"] == "0"


def test_the_most_specific_rule_wins(control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    control.set_progression(mine(shop, mode="manual"))
    held = start_import(client, 2)
    eventually(client, held["id"], "RUNNING")
    control.set_progression({"mode": "manual"}, {"match": {"type": "MUTATION"}, "mode": "manual"},
                            mine(shop, mode="immediate"), {"match": {"operationId": held["id"]}, "mode": "manual"})

    quick = start_import(client, 2)

    assert read(client, BY_ID, quick["id"])["status"] == "COMPLETED"
    assert read(client, BY_ID, held["id"])["status"] == "RUNNING"


def test_rules_are_listed_replaced_and_deleted(control: ControlPlane, shop: Shop) -> None:
    set_ = control.set_progression(mine(shop, mode="polls", pollsPerStep=2))

    assert control.progression() == set_
    assert set_[0]["match"] == {"shop": shop.domain} and set_[0]["mode"] == "polls" and set_[0]["pollsPerStep"] == 2
    assert control.clear_progression() == 1
    assert control.progression() == []


@pytest.mark.parametrize(("rule", "message"), [
    ({"mode": "slow"}, "mode must be one of realtime, immediate, rate, manual, polls"),
    ({"mode": "rate"}, "mode rate needs linesPerSecond > 0"),
    ({"mode": "manual", "speed": 1}, "unknown progression rule keys: speed"),
    ({"match": {"type": "EXPORT"}}, "match.type must be QUERY or MUTATION"),
    ({"startDelaySeconds": -1}, "startDelaySeconds must be a number >= 0"),
])
def test_a_bad_rule_is_refused_with_400_and_what_is_wrong(control: ControlPlane, rule: dict[str, Any],
                                                          message: str) -> None:
    with pytest.raises(ControlPlaneError) as refused:
        control.set_progression(rule)

    assert (refused.value.status, refused.value.message) == (400, message)


def test_an_export_is_paced_too_manual_holds_it_and_advance_completes_it(
        control: ControlPlane, client: BulkClient, shop: Shop) -> None:
    client.wait(start_import(client, 3)["id"], interval=0.05)
    control.set_progression({"match": {"shop": shop.domain, "type": "QUERY"}, "mode": "manual"})
    started = client.run_query("{ products { edges { node { id title } } } }")["bulkOperation"]
    eventually(client, started["id"], "RUNNING")

    held = [read(client, BY_ID, started["id"])["status"] for _ in range(5)]
    done = control.advance(started["id"], to="COMPLETED")

    assert held == ["RUNNING"] * 5
    assert (done.status, done.object_count) == ("COMPLETED", 3)
    titles = [line["title"] for line in client.results(read(client, BY_ID, started["id"])["url"])]
    assert sorted(titles) == ["Board 0", "Board 1", "Board 2"]


def test_held_operations_do_not_starve_a_server_with_one_worker(tmp_path_factory: pytest.TempPathFactory) -> None:
    with InProcessServer(tmp_path_factory.mktemp("one-worker"), {"workers": 1}) as server:
        shop = server.new_shop("starved")
        with ControlPlane(server.base_url) as control, server.client(shop) as client:
            control.set_progression(mine(shop, mode="manual"))
            held = [start_import(client, 2) for _ in range(3)]
            running = [eventually(client, op["id"], "RUNNING")["status"] for op in held]
            done = [control.advance(op["id"], to="COMPLETED").status for op in held]

    assert running == ["RUNNING"] * 3
    assert done == ["COMPLETED"] * 3
