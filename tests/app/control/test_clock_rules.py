"""Timed rules follow the virtual clock: a webhook's next retry comes as soon as the clock passes it, and the
daily cap of bulk mutations lifts a day later, without waiting."""

from __future__ import annotations

from pathlib import Path

from tests.app.control.flow import create_products, export_products
from tests.server import InProcessServer
from tests.webhooks.flow import CREATE_PRODUCT, start_an_import, subscribe
from tests.webhooks.receiver import receiving


def test_a_failed_webhook_is_retried_once_the_clock_passes_its_next_try(tmp_path: Path) -> None:
    with InProcessServer(tmp_path) as server, server.control() as control, receiving(500) as receiver:
        client = server.client(server.new_shop())
        subscribe(client, receiver.url)
        create_products(client, ["Snowboard"])
        export_products(client)
        first = receiver.wait_for(1)[0]
        pending = control.deliveries()[0]

        control.advance_clock("61s")
        retried = receiver.wait_for(2)[1]

    assert pending["status"] == "pending"  # its next try is a minute away on a clock that stands still
    assert retried.body == first.body


def test_the_daily_cap_of_bulk_mutations_lifts_once_the_clock_moves_a_day(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, {"daily_mutation_cap": 1}) as server, server.control() as control:
        client = server.client(server.new_shop())
        client.wait(start_an_import(client, lines=1), interval=0.05, timeout=30)
        capped = client.run_mutation(CREATE_PRODUCT, client.stage(b'{"product": {"title": "Capped"}}\n'))

        control.advance_clock("1d")
        lifted = client.run_mutation(CREATE_PRODUCT, client.stage(b'{"product": {"title": "Lifted"}}\n'))

    assert capped["userErrors"] == [{"field": None, "message": "Bulk operations limit reached. Please try again "
                                     "later.", "code": "LIMIT_REACHED"}]
    assert lifted["userErrors"] == [] and lifted["bulkOperation"]["status"] == "CREATED"
