"""How good the live-progress ETA is on a real import: the server's estimate at the halfway point against the time
the import then actually took (a record for the bench notes, not a pass/fail test: wall time on a shared machine).

    .venv/bin/python bench/progress_eta.py [--lines 100000] [--every 0.25]

Writes the bench's title-only productCreate JSONL of ``--lines`` lines, runs it through the engine in a thread
(as a worker does) on the system clock, and reads the operation's progress every ``--every`` seconds as the
extension endpoint would. Prints the estimate at the first read past half the lines, the actual remaining time,
and the error.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workload import write_titles  # noqa: E402

from bulkops.app.bootstrap import build_runtime  # noqa: E402
from bulkops.app.deployment import secret_box  # noqa: E402
from bulkops.config import settings_from_env  # noqa: E402
from bulkops.domain.shops.rules import create_shop  # noqa: E402
from bulkops.engine import operations as ops  # noqa: E402
from bulkops.engine import progress  # noqa: E402

CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id } userErrors { field message } } }")


def measure(path: Path, data_dir: Path, every: float) -> tuple[progress.Progress, float, float]:
    """(progress at the halfway read, seconds from that read to the end, whole run's seconds)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    runtime = build_runtime(settings_from_env(data_dir=data_dir))
    try:
        with runtime.db.write() as conn:
            shop = create_shop(conn, "eta-bench", runtime.clock.now(), secret_box(runtime.settings))
        staged = f"tmp/{shop.id}/bench/{path.name}"
        with path.open("rb") as stream:
            runtime.store.put(staged, stream)
        with runtime.db.write() as conn:
            op = runtime.engine.start_mutation(conn, shop_id=shop.id, api_version="2026-01", mutation=CREATE,
                                               staged_upload_path=staged, client_identifier=None)
        assert isinstance(op, ops.Operation), op
        worker = threading.Thread(target=runtime.engine.run, args=(op.id, "eta-bench"))
        started = time.monotonic()
        worker.start()
        halfway: tuple[progress.Progress, float] | None = None
        while worker.is_alive():
            time.sleep(every)
            with runtime.db.read() as conn:
                current = ops.get(conn, op.id)
                assert current is not None
                seen = progress.of_operation(conn, current, runtime.clock.now())
            if halfway is None and seen.total_lines and seen.lines_done * 2 >= seen.total_lines:
                halfway = (seen, time.monotonic())
        ended = time.monotonic()
        worker.join()
        assert halfway is not None, "the import ended before a read saw it halfway"
        return halfway[0], ended - halfway[1], ended - started
    finally:
        runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--every", type=float, default=0.25)
    args = parser.parse_args()
    path = HERE / "out" / f"titles-{args.lines}.jsonl"
    write_titles(path, args.lines)
    seen, actual, whole = measure(path, HERE / "out" / "eta-bench", args.every)
    assert seen.eta_seconds is not None
    error = (seen.eta_seconds - actual) / actual
    print(f"{args.lines:,} lines in {whole:.1f}s; at {seen.lines_done:,}/{seen.total_lines:,} lines "
          f"({seen.lines_per_second:,.0f} lines/s): ETA {seen.eta_seconds:.1f}s, actual {actual:.1f}s, "
          f"error {error:+.0%}")


if __name__ == "__main__":
    main()
