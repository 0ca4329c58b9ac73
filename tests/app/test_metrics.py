"""``/metrics``: Prometheus text whose counts are what ran (read from the database at scrape time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bulkops.app.metrics import mutation_name
from tests.server import InProcessServer
from tests.webhooks.flow import CREATE_PRODUCT, subscribe
from tests.webhooks.receiver import receiving

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    """A server of its own: the counts it reports are this test's alone."""
    with InProcessServer(tmp_path) as process:
        yield process


def scrape(server: InProcessServer) -> Samples:
    response = httpx.get(f"{server.base_url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def scrape_until(server: InProcessServer, name: str, labels: dict[str, str], value: float) -> Samples:
    """The scrape once ``name{labels}`` reached ``value`` (a webhook attempt is recorded after its POST)."""
    deadline = time.monotonic() + 30
    while True:
        samples = scrape(server)
        if samples.get((name, tuple(sorted(labels.items())))) == value or time.monotonic() > deadline:
            return samples
        time.sleep(0.05)


def test_an_import_with_a_failing_line_is_counted_as_it_ran(server: InProcessServer) -> None:
    client = server.client(server.new_shop())
    lines = [{"product": {"title": "Metered 1"}}, {"product": {"title": ""}}, {"product": {"title": "Metered 3"}}]
    data = b"".join(orjson.dumps(line) + b"\n" for line in lines) + b"not json\n"
    with receiving() as receiver:
        subscribe(client, receiver.url)
        started = client.run_mutation(CREATE_PRODUCT, client.stage(data))
        done = client.wait(started["bulkOperation"]["id"])
        results = client.results(done["url"])
        receiver.wait_for(1)
        samples = scrape_until(server, "bulkops_webhook_attempts_total", {"outcome": "success"}, 1)

    failed_results = [r for r in results if r.get("errors") or r["data"]["productCreate"]["userErrors"]]
    assert done["status"] == "COMPLETED" and len(results) == 4 and len(failed_results) == 2
    assert samples[("bulkops_import_lines_total", (("mutation", "productCreate"),))] == 4
    assert samples[("bulkops_import_lines_failed_total", (("mutation", "productCreate"),))] == 2
    assert samples[("bulkops_operations", (("status", "COMPLETED"), ("type", "MUTATION")))] == 1
    assert samples[("bulkops_operations", (("status", "CREATED"), ("type", "QUERY")))] == 0
    assert samples[("bulkops_chunk_duration_seconds_count", (("type", "MUTATION"),))] == 1
    assert samples[("bulkops_chunk_duration_seconds_bucket", (("le", "+Inf"), ("type", "MUTATION")))] == 1
    assert samples[("bulkops_queue_depth", ())] == 0
    assert samples[("bulkops_webhook_attempts_total", (("outcome", "success"),))] == 1
    assert samples[("bulkops_webhook_deliveries", (("status", "delivered"),))] == 1
    assert samples[("bulkops_workers_alive", ())] == 1
    assert samples[("bulkops_helpers_state", (("state", "off"),))] == 1


def test_operations_waiting_for_a_worker_are_the_queue_depth(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, {"workers": 0}) as server:
        client = server.client(server.new_shop())
        client.run_mutation(CREATE_PRODUCT, client.stage(b'{"product": {"title": "Waiting"}}\n'))
        client.run_query("{ products { edges { node { id } } } }")
        samples = scrape(server)

    assert samples[("bulkops_queue_depth", ())] == 2
    assert samples[("bulkops_operations", (("status", "CREATED"), ("type", "MUTATION")))] == 1
    assert samples[("bulkops_operations", (("status", "CREATED"), ("type", "QUERY")))] == 1
    assert samples[("bulkops_workers_alive", ())] == 0


def test_the_mutation_label_is_the_root_field_the_import_runs() -> None:
    assert mutation_name(CREATE_PRODUCT) == "productCreate"
    assert mutation_name("mutation m($i: X!) { renamed: customerCreate(input: $i) { customer { id } } }") == (
        "customerCreate")
    assert mutation_name("not a document") == "unknown"
