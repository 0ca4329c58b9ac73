"""``bulkops admin ...``: the control plane from the command line (typer's CliRunner, against a server on
loopback): JSON answers, a refused call is one line and exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from bulkops.cli import app
from tests.app.control.flow import create_products, product_titles
from tests.server import InProcessServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path, {"admin_token": "s3cret"}) as server:
        yield server


def admin(server: InProcessServer, *args: str) -> Result:
    return CliRunner().invoke(app, ["admin", *args, "--url", server.base_url],
                              env={"BULKOPS_ADMIN_TOKEN": "s3cret"})


def test_admin_moves_the_clock_seeds_and_resets(server: InProcessServer) -> None:
    shop = server.new_shop()
    create_products(server.client(shop), ["Snowboard"])

    advanced = admin(server, "clock", "advance", "2d")
    seeded = admin(server, "seed", "--fixture", "customers", "--count", "3", "--shop", shop.name)
    reset = admin(server, "reset", "--scope", "shop_data", "--shop", shop.name)
    real = admin(server, "clock", "real")

    assert advanced.exit_code == 0 and orjson.loads(advanced.stdout)["offset_seconds"] == 2 * 86400
    assert orjson.loads(seeded.stdout)["customers"] == 3
    assert orjson.loads(reset.stdout)["rows"]["customers"] == 3 and product_titles(server.client(shop)) == []
    assert orjson.loads(real.stdout)["virtual"] is False


def test_admin_lists_requests_and_dumps_and_restores_state(server: InProcessServer, tmp_path: Path) -> None:
    client = server.client(server.new_shop())
    create_products(client, ["Kept"])
    archive = tmp_path / "state.tar.gz"

    listed = admin(server, "requests", "list", "--limit", "1")
    dumped = admin(server, "state", "dump", str(archive))
    admin(server, "reset")
    restored = admin(server, "state", "restore", str(archive))

    assert [e["rootFields"] for e in orjson.loads(listed.stdout)] == [["productCreate"]]
    assert orjson.loads(dumped.stdout)["bytes"] == archive.stat().st_size > 0
    assert orjson.loads(restored.stdout)["rows"]["products"] == 1 and product_titles(client) == ["Kept"]


def test_a_refused_admin_call_is_one_line_and_exit_code_2(server: InProcessServer) -> None:
    refused = admin(server, "clock", "advance", "later")
    unauthorized = CliRunner().invoke(app, ["admin", "clock", "show", "--url", server.base_url],
                                      env={"BULKOPS_ADMIN_TOKEN": ""})

    assert refused.exit_code == 2
    assert refused.stderr.strip() == ("error: 422: 'advance' must be a duration like \"7d\", \"1d12h\" or \"90s\" "
                                      "(got 'later')")
    assert unauthorized.exit_code == 2 and "401" in unauthorized.stderr
