"""The virtual clock (``/__bulkops/clock``): moving the deployment's time makes every timed rule follow at once:
a finished export becomes EXPIRED and its URL is refused, without waiting a week."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bulkops.client.control import ControlPlane, ControlPlaneError
from bulkops.clock import iso_z
from tests.app.control.flow import create_products, export_products
from tests.server import InProcessServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path) as server:
        yield server


@pytest.fixture
def control(server: InProcessServer) -> Iterator[ControlPlane]:
    with server.control() as control:
        yield control


def test_advancing_the_clock_8_days_expires_a_finished_export_and_its_url_is_refused(
        server: InProcessServer, control: ControlPlane) -> None:
    client = server.client(server.new_shop())
    create_products(client, ["Snowboard"])
    done = export_products(client)
    assert done["status"] == "COMPLETED"
    assert httpx.get(done["url"]).status_code == 200

    moved = control.advance_clock("8d")

    assert moved.virtual and moved.offset_seconds == 8 * 86400
    assert client.operation(done["id"])["status"] == "EXPIRED"
    refused = httpx.get(done["url"])
    assert refused.status_code == 400 and b"<Code>ExpiredToken</Code>" in refused.content


def test_the_clock_reads_the_servers_time_plus_the_offset_and_delete_returns_to_real_time(
        server: InProcessServer, control: ControlPlane) -> None:
    real = server.clock.now()

    assert control.clock().now == iso_z(real) and not control.clock().virtual
    assert control.advance_clock("1d12h").now == iso_z(real + timedelta(hours=36))
    assert control.set_clock("2030-01-01T00:00:00Z").now == "2030-01-01T00:00:00Z"
    back = control.real_time()
    assert back.now == iso_z(real) and back.offset_seconds == 0 and not back.virtual


def test_moving_the_clock_backwards_is_refused_unless_forced(control: ControlPlane) -> None:
    control.advance_clock("2h")

    with pytest.raises(ControlPlaneError) as refused:
        control.advance_clock("-1h")

    assert refused.value.status == 409
    assert refused.value.message == 'the clock only moves forward: pass "force": true to move it back'
    assert control.advance_clock("-1h", force=True).offset_seconds == 3600


@pytest.mark.parametrize(("body", "message"), [
    ({"advance": "soon"}, "'advance' must be a duration like \"7d\", \"1d12h\" or \"90s\" (got 'soon')"),
    ({"set": "tomorrow"}, "'set' must be an ISO 8601 time like \"2026-01-08T00:00:00Z\" (got 'tomorrow')"),
    ({}, 'give {"advance": "7d"} or {"set": "<ISO 8601 time>"}'),
    ({"advance": "1d", "force": "yes"}, "'force' must be true or false"),
])
def test_a_clock_request_that_cannot_be_done_is_a_422_saying_why(
        control: ControlPlane, body: dict[str, object], message: str) -> None:
    with pytest.raises(ControlPlaneError) as refused:
        control.call("POST", "/clock", body)

    assert (refused.value.status, refused.value.message) == (422, message)
