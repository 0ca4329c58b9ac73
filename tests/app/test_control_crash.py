"""CRASH_WORKER for real: the ``bulkops serve`` process running the import exits hard once the fault's line is
recorded, and the restarted server resumes it to COMPLETED with every line exactly once (issue 17)."""

from __future__ import annotations

from pathlib import Path

from bulkops.engine.emulation import CRASH_EXIT_CODE
from bulkops.testing import ControlPlane
from tests.engine.test_import_lifecycle import CREATE, products_in_db, products_jsonl, stored_progress
from tests.server import ServerProcess

LINES = 60
SETTINGS = {"BULKOPS_CHUNK_LINES": "20", "BULKOPS_WORKERS": "1"}


def test_crash_worker_mid_import_exits_the_process_and_the_restart_completes_every_line_once(
        tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "crash", env=SETTINGS).start()
    shop = server.new_shop()
    with ControlPlane(server.base_url) as control:
        [fault] = control.set_faults({"type": "CRASH_WORKER", "afterLines": 30})
    client = server.client(shop)
    operation = client.run_mutation(CREATE, client.stage(products_jsonl(LINES)))["bulkOperation"]["id"]
    assert server.process is not None
    exit_code = server.process.wait(timeout=60)
    at_crash = stored_progress(server, operation)

    server.start()
    try:
        done = server.client(shop).wait(operation, interval=0.1, timeout=120)
        results = server.client(shop).results(done["url"])
        with ControlPlane(server.base_url) as control:
            [after] = control.faults()
    finally:
        server.stop()

    assert exit_code == CRASH_EXIT_CODE
    assert at_crash == ("RUNNING", 30)
    assert (fault["times"], after["fired"]) == (1, 1)
    assert done["status"] == "COMPLETED" and done["objectCount"] == str(LINES)
    assert [line["__lineNumber"] for line in results] == list(range(LINES))
    assert sorted(products_in_db(server, shop.id)) == sorted(f"Board {i}" for i in range(LINES))
    assert len({line["data"]["productCreate"]["product"]["id"] for line in results}) == LINES
