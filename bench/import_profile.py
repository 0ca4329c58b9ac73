"""Import speed in-process, for quick rounds on the import hot path (bench/run.py measures it over HTTP).

    .venv/bin/python bench/import_profile.py [--size 5] [--runs 3] [--cprofile] [--mutation customerCreate]

Writes the bench's productCreate JSONL (or ``--mutation``'s: customerCreate, with an address and consent) of
``--size`` MB, then runs it through the engine directly (fresh data dir per run, no HTTP, no polling) and reports lines per CPU-second of this process, which holds on a busy
shared machine far better than wall time. ``--cprofile`` writes the first run's profile, sorted.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workload import WORKLOADS  # noqa: E402

from bulkops.app.bootstrap import build_runtime  # noqa: E402
from bulkops.app.deployment import secret_box  # noqa: E402
from bulkops.config import settings_from_env  # noqa: E402
from bulkops.domain.shops.rules import create_shop  # noqa: E402
from bulkops.engine import operations as ops  # noqa: E402


def one_import(path: Path, data_dir: Path, profile_to: Path | None, mutation: str = "productCreate"
               ) -> tuple[int, float, float]:
    """(lines, wall seconds, CPU seconds) of one engine run over ``path``."""
    shutil.rmtree(data_dir, ignore_errors=True)
    runtime = build_runtime(settings_from_env(data_dir=data_dir))
    engine = runtime.engine
    _schema()
    if runtime.helpers is not None:  # as `bulkops serve` starts them; wait for them to be warm
        runtime.helpers.start()
        runtime.helpers.submit(int).result()
    gc.collect()
    gc.freeze()  # as `bulkops serve` does after start-up
    try:
        with runtime.db.write() as conn:
            shop = create_shop(conn, "import-bench", runtime.clock.now(), secret_box(runtime.settings))
        staged = f"tmp/{shop.id}/bench/{path.name}"
        with path.open("rb") as stream:
            runtime.store.put(staged, stream)
        with runtime.db.write() as conn:
            op = engine.start_mutation(conn, shop_id=shop.id, api_version="2026-01",
                                       mutation=WORKLOADS[mutation][0], staged_upload_path=staged, client_identifier=None)
        assert isinstance(op, ops.Operation), op
        profiler = cProfile.Profile() if profile_to else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        engine.run(op.id, "import-profile")
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        with runtime.db.read() as conn:
            done = ops.get(conn, op.id)
        assert done is not None and done.status.value == "COMPLETED", done
        if profiler and profile_to:
            with profile_to.open("w") as out:
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(70)
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(50)
        return done.object_count, seconds, cpu
    finally:
        if runtime.helpers is not None:
            runtime.helpers.stop()
        runtime.db.dispose()


def _schema():  # type: ignore[no-untyped-def]
    from bulkops.graphql.schema import schema_for_version

    return schema_for_version("2026-01")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=float, default=5.0, help="JSONL size in MB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--mutation", choices=sorted(WORKLOADS), default="productCreate")
    args = parser.parse_args()
    path = HERE / "out" / f"{args.mutation}-{args.size:g}mb.jsonl"
    lines = WORKLOADS[args.mutation][1](path, int(args.size * 1_000_000))
    rates = []
    for attempt in range(args.runs):
        profile_to = HERE / "out" / "import-cprofile.txt" if args.cprofile and attempt == 0 else None
        done, seconds, cpu = one_import(path, HERE / "out" / "import-profile", profile_to, args.mutation)
        assert done == lines, (done, lines)
        rates.append(lines / cpu)
        print(f"run {attempt + 1}: {lines:,} lines in {seconds:.2f}s wall, {cpu:.2f}s CPU = "
              f"{lines / cpu:,.0f} lines per CPU-second ({cpu * 1e6 / lines:.0f} ms per 1,000 lines)", flush=True)
    print(f"median {statistics.median(rates):,.0f} lines per CPU-second")


if __name__ == "__main__":
    main()
