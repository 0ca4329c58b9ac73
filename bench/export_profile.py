"""Export speed in-process, for quick rounds on the export hot path (bench/run.py measures it over HTTP).

    .venv/bin/python bench/export_profile.py [--products 100000] [--runs 3] [--group] [--cprofile]

Seeds a shop once into bench/out/export-profile/ (kept between invocations), then runs the bench's export
(products with their variants) through the engine directly, no HTTP, and the floor (rows streamed straight from
SQLite to JSONL) on the same rows in the same run. ``--cprofile`` writes the first run's profile, sorted.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor import export_floor  # noqa: E402
from workload import EXPORT_PRODUCTS_WITH_VARIANTS  # noqa: E402

from bulkops.app.bootstrap import build_runtime  # noqa: E402
from bulkops.app.deployment import secret_box  # noqa: E402
from bulkops.config import settings_from_env  # noqa: E402
from bulkops.domain.shops.rules import create_shop  # noqa: E402
from bulkops.engine import operations as ops  # noqa: E402


def seeded(data_dir: Path, products: int, variants: int) -> int:
    """The bench shop's id, seeding it on first use."""
    marker = data_dir / f"seeded-{products}x{variants}"
    runtime = build_runtime(settings_from_env(data_dir=data_dir))
    try:
        if marker.exists():
            return int(marker.read_text())
        with runtime.db.write() as conn:
            shop = create_shop(conn, f"export-bench-{time.monotonic_ns() % 10**9}", runtime.clock.now(),
                              secret_box(runtime.settings))
    finally:
        runtime.db.dispose()
    subprocess.run([sys.executable, "-m", "bulkops.cli", "seed", "--data-dir", str(data_dir), "--shop", shop.name,
                    "--products", str(products), "--variants-per-product", str(variants)], check=True)
    marker.write_text(str(shop.id))
    return shop.id


def one_export(data_dir: Path, shop_id: int, group: bool, profile_to: Path | None) -> tuple[int, float]:
    runtime = build_runtime(settings_from_env(data_dir=data_dir))
    engine = runtime.engine
    try:
        with runtime.db.write() as conn:
            op = engine.start_query(conn, shop_id=shop_id, api_version="2026-01",
                                    query=EXPORT_PRODUCTS_WITH_VARIANTS, group_objects=group)
        assert isinstance(op, ops.Operation)
        profiler = cProfile.Profile() if profile_to else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        engine.run(op.id, "export-profile")
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        with runtime.db.read() as conn:
            done = ops.get(conn, op.id)
        assert done is not None and done.status.value == "COMPLETED", done
        if profiler and profile_to:
            with profile_to.open("w") as out:
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
        return done.object_count, seconds
    finally:
        runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--group", action="store_true", help="groupObjects: true")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=HERE / "out" / "export-profile")
    args = parser.parse_args()
    shop_id = seeded(args.data_dir, args.products, args.variants)
    rates, ratios = [], []
    for attempt in range(args.runs):
        floor_objects, floor_s = export_floor(args.data_dir / "bulkops.db", shop_id, HERE / "out" / "export-floor.jsonl")
        profile_to = HERE / "out" / "export-cprofile.txt" if args.cprofile and attempt == 0 else None
        objects, seconds = one_export(args.data_dir, shop_id, args.group, profile_to)
        assert objects == floor_objects, (objects, floor_objects)
        rates.append(objects / seconds)
        ratios.append(seconds / floor_s)
        print(f"run {attempt + 1}: {objects:,} objects in {seconds:.2f}s = {objects / seconds:,.0f}/s; floor "
              f"{floor_objects / floor_s:,.0f}/s; {seconds / floor_s:.1f}x floor", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median {statistics.median(rates):,.0f} objects/s, {statistics.median(ratios):.1f}x floor, "
          f"peak RSS of this process {peak:.0f} MB")


if __name__ == "__main__":
    main()
