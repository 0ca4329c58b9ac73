"""``bulkops admin progression|faults|advance``: the control plane from the command line (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from typer.testing import CliRunner

from bulkops.cli import app
from bulkops.testing import InProcessServer
from tests.app.emulation import eventually, start_import


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    server = InProcessServer(tmp_path_factory.mktemp("admin-cli")).start()
    yield server
    server.stop()


def admin(emulator: InProcessServer, *args: str) -> tuple[int, object]:
    result = CliRunner().invoke(app, ["admin", *args, "--url", emulator.base_url])
    return result.exit_code, orjson.loads(result.stdout) if result.exit_code == 0 else result.output


def test_progression_set_show_and_advance_hold_then_move_an_import(emulator: InProcessServer) -> None:
    shop = emulator.new_shop("admin-cli")
    rule = orjson.dumps({"match": {"shop": shop.domain}, "mode": "manual"}).decode()
    with emulator.client(shop) as client:
        assert admin(emulator, "progression", "set", rule)[0] == 0
        op = start_import(client, 3)
        eventually(client, op["id"], "RUNNING")

        code, moved = admin(emulator, "advance", op["id"], "--lines", "2")
        shown = admin(emulator, "progression", "show")[1]
        done = admin(emulator, "advance", op["id"], "--to", "COMPLETED")[1]
        cleared = admin(emulator, "progression", "clear")[1]

    assert code == 0 and moved == {"id": op["id"], "status": "RUNNING", "error_code": None, "object_count": 2,
                                   "lines_done": 2}
    assert [r["mode"] for r in shown] == ["manual"]  # type: ignore[union-attr]
    assert done["status"] == "COMPLETED"  # type: ignore[index]
    assert cleared == {"deleted": 1}


def test_faults_set_show_clear_and_a_refusal_exits_2_with_the_reason(emulator: InProcessServer) -> None:
    set_ = admin(emulator, "faults", "set", '{"type": "GRAPHQL_HTTP", "status": 429, "times": 2}')
    shown = admin(emulator, "faults", "show")
    cleared = admin(emulator, "faults", "clear")
    refused = admin(emulator, "faults", "set", '{"type": "GRAPHQL_HTTP", "status": 418}')

    assert set_[0] == 0 and shown == set_
    assert cleared == (0, {"deleted": 1})
    assert refused[0] == 2 and "400: GRAPHQL_HTTP needs status 429, 500 or 503" in str(refused[1])


def test_advance_needs_exactly_one_of_lines_and_to(emulator: InProcessServer) -> None:
    code, output = admin(emulator, "advance", "gid://shopify/BulkOperation/1")

    assert code == 2 and "give exactly one of --lines N and --to STATUS" in str(output)
