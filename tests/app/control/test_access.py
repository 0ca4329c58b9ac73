"""Who reaches the control plane: on loopback anyone (a developer's emulator); elsewhere ``serve`` refuses to
start without ``BULKOPS_ADMIN_TOKEN``; with a token every call needs it; ``--no-control-plane`` removes it, and
the Shopify endpoints answer byte for byte the same either way."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from typer.testing import CliRunner

from bulkops.app.http import build_app
from bulkops.cli import app
from bulkops.testing import free_port, token_of
from tests.app.control.flow import CREATE_PRODUCT, LIST_OPERATIONS, LIST_PRODUCTS, create_products, export_products
from tests.server import InProcessServer

INTROSPECTION = "{ __schema { queryType { name } mutationType { name } types { name kind fields { name } } } }"
SHOPIFY_REQUESTS = [
    {"query": INTROSPECTION},
    {"query": LIST_PRODUCTS},
    {"query": LIST_OPERATIONS},
    {"query": "{ currentBulkOperation { id status objectCount url } }"},
    {"query": "{ __bulkops }"},
    {"query": CREATE_PRODUCT, "variables": {"product": {"title": ""}}},
    {"query": "{ shop { name "},
]


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """``app`` on loopback in a thread, for as long as the block runs: its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path) as server:
        yield server


def test_with_the_control_plane_off_the_shopify_endpoints_answer_byte_for_byte_the_same(
        server: InProcessServer) -> None:
    shop = server.new_shop()
    client = server.client(shop)
    create_products(client, ["Snowboard", "Wax"])
    export_products(client)
    assert server.runtime is not None
    off = dataclasses.replace(server.runtime, settings=dataclasses.replace(server.settings, control_plane=False))
    headers = {"X-Shopify-Access-Token": token_of(shop)}
    path = "/admin/api/2026-10/graphql.json"

    same_host = {"Host": server.base_url.removeprefix("http://")}  # result URLs are made off the Host header
    with serving(build_app(off)) as off_url, httpx.Client(base_url=off_url, headers=same_host) as without, \
            httpx.Client(base_url=server.base_url) as on:
        for body in SHOPIFY_REQUESTS:
            assert without.post(path, json=body, headers=headers).content == on.post(
                path, json=body, headers=headers).content, body
        assert without.get("/__bulkops/clock").status_code == 404
        assert on.get("/__bulkops/clock").status_code == 200


def test_with_an_admin_token_every_call_needs_it(tmp_path: Path) -> None:
    with InProcessServer(tmp_path, {"admin_token": "s3cret"}) as server:
        anonymous = httpx.get(f"{server.base_url}/__bulkops/clock")
        wrong = httpx.get(f"{server.base_url}/__bulkops/clock", headers={"Authorization": "Bearer nope"})
        with server.control() as control:
            allowed = control.clock()

    assert anonymous.status_code == wrong.status_code == 401
    assert anonymous.json() == {"error": "the control plane needs Authorization: Bearer <BULKOPS_ADMIN_TOKEN>"}
    assert not allowed.virtual


def test_serve_on_a_public_address_without_an_admin_token_refuses_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
                                env={"BULKOPS_ADMIN_TOKEN": ""})

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: the control plane (/__bulkops/) would be open to anyone on 0.0.0.0 without a token",
        "  fix: set BULKOPS_ADMIN_TOKEN, listen on 127.0.0.1, or pass --no-control-plane"]
    assert not (tmp_path / "bulkops.db").exists()
