"""bulkops benchmark: import and export speed as a user feels it, against what the machine allows.

    .venv/bin/python bench/run.py [--sizes 20,100] [--runs 3] [--out bench/out/results.json] [--quick]
                                  [--export-products 100000] [--no-export] [--profile]
                                  [--title-only 100000] [--products-before 150000]
                                  [--mutation customerCreate|metafieldsSet|productSet|productVariantsBulkUpdate]

Each import run starts a fresh ``bulkops serve`` (own data dir, free loopback port), then times the whole
flow over HTTP with BulkClient: staged upload, bulkOperationRunMutation, polling until COMPLETED, download.
The floor (decode each line, write a same-size result line; no GraphQL, no database) is measured in the same
run on the same file, so the ratio holds on a busy shared machine better than the absolute figures do.
The title-only import (every handle derived from its title) runs into an empty shop and into one already
holding ``--products-before`` products, and reports the second's speed as a share of the first's.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import BenchServer  # noqa: E402
from floor import export_floor, import_floor  # noqa: E402
from profile_summary import summarize  # noqa: E402
from workload import (  # noqa: E402
    EXPORT_PRODUCTS_WITH_VARIANTS,
    OWNS_PRODUCTS,
    VARIANTS_PER_SEEDED_PRODUCT,
    WORKLOADS,
    write_titles,
)

MB = 1_000_000
ON_SEEDED_PRODUCTS = {"productVariantsBulkUpdate"}
"""Mutations whose lines change products seeded (untimed) before the import, one per line."""


def machine() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout
    return {
        "nproc": len(os.sched_getaffinity(0)), "cpu": model, "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "commit": commit.strip(),
        "loadavg_at_start": os.getloadavg()[0],
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}


def check_results(body: bytes, lines: int, mutation: str = "productCreate") -> int:
    """Every input line answered, in order; returns how many answered with an error."""
    results = body.splitlines()
    if len(results) != lines:
        raise SystemExit(f"expected {lines} result lines, got {len(results)}")
    failed = 0
    for number, raw in enumerate(results):
        line = orjson.loads(raw)
        if line["__lineNumber"] != number:
            raise SystemExit(f"result line {number} says __lineNumber {line['__lineNumber']}")
        payload = (line.get("data") or {}).get(mutation) or {}
        failed += bool(line.get("errors") or payload.get("userErrors"))
    return failed


def one_import(path: Path, lines: int, work: Path, profile_to: Path | None = None,
               products_before: int = 0, mutation: str = "productCreate", variants_before: int = 1
               ) -> dict[str, Any]:
    floor_lines, floor_s = import_floor(path, work / "floor-out.jsonl")
    assert floor_lines == lines
    data = path.read_bytes()
    run_dir = work / "server"
    shutil.rmtree(run_dir, ignore_errors=True)
    with BenchServer(run_dir) as server:
        server.wait_until_warm()
        shop = server.new_shop()
        if products_before:
            seed_products(run_dir, shop.name, products_before, variants_before)
        client = server.client(shop)
        spy = _start_profiler(server.pid, profile_to) if profile_to else None
        cpu_before, helper_cpu_before = server.cpu(), server.helper_cpu()
        started = time.perf_counter()
        staged = client.stage(data, path.name)
        uploaded = time.perf_counter()
        run = client.run_mutation(WORKLOADS[mutation][0], staged)
        if run["userErrors"]:
            raise SystemExit(f"bulkOperationRunMutation refused: {run['userErrors']}")
        done = client.wait(run["bulkOperation"]["id"], interval=0.2, timeout=7200)
        completed = time.perf_counter()
        if done["status"] != "COMPLETED":
            raise SystemExit(f"import ended {done['status']} ({done.get('errorCode')})")
        body = client.download(done["url"])
        finished = time.perf_counter()
        cpu = server.cpu() - cpu_before
        helper_cpu = server.helper_cpu() - helper_cpu_before
        peak, helper_peak = server.peak_rss(), server.helper_peak_rss()
        if spy is not None:
            _stop_profiler(spy)
        client.close()
    failed = check_results(body, lines, mutation)
    shutil.rmtree(run_dir, ignore_errors=True)
    total = finished - started
    return {
        "lines": lines, "failed_lines": failed, "seconds": round(total, 3),
        "lines_per_s": round(lines / total), "mb_per_s": round(len(data) / MB / total, 2),
        "upload_s": round(uploaded - started, 3), "run_s": round(completed - uploaded, 3),
        "download_s": round(finished - completed, 3), "server_cpu_s": round(cpu, 2),
        "server_cpu_ms_per_1000_lines": round(cpu * 1e6 / lines, 1), "peak_rss_mb": round(peak / MB, 1),
        "helper_cpu_s": round(helper_cpu, 2), "helper_cpu_ms_per_1000_lines": round(helper_cpu * 1e6 / lines, 1),
        "helper_peak_rss_mb": round(helper_peak / MB, 1),
        "floor_s": round(floor_s, 3), "floor_lines_per_s": round(lines / floor_s),
        "ratio_to_floor": round(total / floor_s, 1),
    }


def _start_profiler(pid: int, out: Path) -> subprocess.Popen[bytes]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    process = subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
                                "--output", str(out), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return process


def _stop_profiler(process: subprocess.Popen[bytes]) -> None:
    import signal

    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()


def bench_imports(sizes: list[float], runs: int, out_dir: Path, profile: bool,
                  mutation: str = "productCreate") -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        path = out_dir / f"{mutation}-{size:g}mb.jsonl"
        lines = WORKLOADS[mutation][1](path, int(size * MB))
        measured = []
        for attempt in range(runs):
            result = one_import(path, lines, out_dir, mutation=mutation, **_seeded_first(mutation, lines))
            print(f"  import {size:g} MB run {attempt + 1}/{runs}: {result['lines_per_s']:,} lines/s, "
                  f"{result['ratio_to_floor']}x floor, peak {result['peak_rss_mb']} MB", flush=True)
            measured.append(result)
        rows.append({"kind": "import", "mutation": mutation, "size_mb": size, "runs": measured,
                     "median": median_of(measured)})
    if profile and sizes:
        path = out_dir / f"{mutation}-{sizes[0]:g}mb.jsonl"
        raw = out_dir / "profile-import.txt"
        lines = sum(1 for _ in path.open("rb"))
        one_import(path, lines, out_dir, profile_to=raw, mutation=mutation, **_seeded_first(mutation, lines))
        (out_dir / "profile-import-summary.txt").write_text(summarize(raw))
        print(f"  profile: {raw} (summary: {out_dir / 'profile-import-summary.txt'})")
    return rows


def _seeded_first(mutation: str, lines: int) -> dict[str, int]:
    """What to seed before the import: the products a line per product updates (or owns metafields of)."""
    if mutation in ON_SEEDED_PRODUCTS:
        return {"products_before": lines, "variants_before": VARIANTS_PER_SEEDED_PRODUCT}
    if mutation in OWNS_PRODUCTS:
        return {"products_before": lines}
    return {}


def bench_title_only(lines: int, products_before: int, runs: int, out_dir: Path) -> list[dict[str, Any]]:
    """Title-only lines (every handle derived) into an empty shop, then into one already holding
    ``products_before`` products: finding a free handle must not slow down with the shop's size."""
    path = out_dir / f"titles-{lines}.jsonl"
    write_titles(path, lines)
    rows = []
    for before in (0, products_before):
        measured = []
        for attempt in range(runs):
            result = one_import(path, lines, out_dir, products_before=before)
            print(f"  title-only import of {lines:,} lines into {before:,} products, run {attempt + 1}/{runs}: "
                  f"{result['lines_per_s']:,} lines/s", flush=True)
            measured.append(result)
        rows.append({"kind": "import", "size_mb": round(path.stat().st_size / MB, 2), "products_before": before,
                     "title_only": True, "runs": measured, "median": median_of(measured)})
    empty, full = (row["median"]["lines_per_s"] for row in rows)
    print(f"  title-only into {products_before:,} products: {full / empty:.0%} of the speed into an empty shop "
          "(target: at least 80%)", flush=True)
    return rows


# ---- export -------------------------------------------------------------------------------------
def seed_available() -> bool:
    probe = subprocess.run([sys.executable, "-m", "bulkops.cli", "seed", "--help"], capture_output=True, text=True)
    return probe.returncode == 0


def seed_products(data_dir: Path, shop: str, products: int, variants: int) -> None:
    seeding = subprocess.run(
        [sys.executable, "-m", "bulkops.cli", "seed", "--data-dir", str(data_dir), "--shop", shop,
         "--products", str(products), "--variants-per-product", str(variants)],
        capture_output=True, text=True,
    )
    if seeding.returncode != 0:
        raise SystemExit(f"bulkops seed failed: {seeding.stdout[-2000:]}{seeding.stderr[-2000:]}")


def bench_export(products: int, variants: int, runs: int, out_dir: Path) -> dict[str, Any]:
    run_dir = out_dir / "export-server"
    shutil.rmtree(run_dir, ignore_errors=True)
    with BenchServer(run_dir) as server:
        shop = server.new_shop()
        seed_products(run_dir, shop.name, products, variants)
        client = server.client(shop)
        measured = []
        for attempt in range(runs):
            floor_objects, floor_s = export_floor(run_dir / "bulkops.db", shop.id, out_dir / "export-floor.jsonl")
            rss_before = server.peak_rss()
            started = time.perf_counter()
            run = client.run_query(EXPORT_PRODUCTS_WITH_VARIANTS)
            if run["userErrors"]:
                raise SystemExit(f"bulkOperationRunQuery refused: {run['userErrors']}")
            done = client.wait(run["bulkOperation"]["id"], interval=0.2, timeout=7200)
            if done["status"] != "COMPLETED":
                raise SystemExit(f"export ended {done['status']} ({done.get('errorCode')})")
            body = client.download(done["url"])
            total = time.perf_counter() - started
            objects = int(done["objectCount"])
            if objects != floor_objects or body.count(b"\n") != objects:
                raise SystemExit(f"export wrote {objects} objects, the rows hold {floor_objects}")
            result = {
                "objects": objects, "seconds": round(total, 3), "objects_per_s": round(objects / total),
                "floor_s": round(floor_s, 3), "floor_objects_per_s": round(objects / floor_s),
                "ratio_to_floor": round(total / floor_s, 1), "peak_rss_mb": round(server.peak_rss() / MB, 1),
                "peak_rss_before_mb": round(rss_before / MB, 1),
            }
            print(f"  export run {attempt + 1}/{runs}: {result['objects_per_s']:,} objects/s, "
                  f"{result['ratio_to_floor']}x floor, peak {result['peak_rss_mb']} MB", flush=True)
            measured.append(result)
        client.close()
    shutil.rmtree(run_dir, ignore_errors=True)
    return {"kind": "export", "products": products, "variants_per_product": variants, "runs": measured,
            "median": median_of(measured)}


# ---- report -------------------------------------------------------------------------------------
def table(rows: list[dict[str, Any]]) -> str:
    out = ["| benchmark | size | per second | MB/s | seconds | floor per second | × floor | peak RSS MB "
           "| helpers' peak RSS MB | CPU ms per 1,000 lines (server + helpers) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        m = row["median"]
        if row["kind"] == "import":
            kind = f"import title-only into {row['products_before']:,} products" if row.get("title_only") \
                else f"import {row.get('mutation', 'productCreate')}"
            out.append(f"| {kind} | {row['size_mb']:g} MB, {m['lines']:,.0f} lines | "
                       f"{m['lines_per_s']:,.0f} lines | {m['mb_per_s']} | {m['seconds']} | "
                       f"{m['floor_lines_per_s']:,.0f} lines | {m['ratio_to_floor']} | {m['peak_rss_mb']} | "
                       f"{m.get('helper_peak_rss_mb', 0)} | {m['server_cpu_ms_per_1000_lines']:.0f} + "
                       f"{m.get('helper_cpu_ms_per_1000_lines', 0):.0f} |")
        else:
            out.append(f"| export products + variants | {m['objects']:,.0f} objects | {m['objects_per_s']:,.0f} "
                       f"objects | – | {m['seconds']} | {m['floor_objects_per_s']:,.0f} objects | "
                       f"{m['ratio_to_floor']} | {m['peak_rss_mb']} | – | – |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20,100", help="import file sizes in MB, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (medians are reported)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "results.json")
    parser.add_argument("--quick", action="store_true", help="small files and one run: a smoke test of the bench")
    parser.add_argument("--export-products", type=int, default=100_000)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--title-only", type=int, default=100_000, metavar="LINES",
                        help="title-only import of this many lines, into an empty shop and a full one (0: skip)")
    parser.add_argument("--products-before", type=int, default=150_000,
                        help="how many products the full shop holds before the title-only import")
    parser.add_argument("--profile", action="store_true", help="profile one import with py-spy")
    parser.add_argument("--mutation", choices=sorted(WORKLOADS), default="productCreate",
                        help="what the import lines do (customerCreate: with an address and consent; "
                        "metafieldsSet: 25 per line, on products seeded first; "
                        "productVariantsBulkUpdate: the variants of products seeded first, untimed)")
    args = parser.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    runs, products, titles, before = args.runs, args.export_products, args.title_only, args.products_before
    if args.quick:
        sizes, runs, products, titles, before = [1.0, 3.0], 1, 2_000, 1_000, 5_000
    out_dir = args.out.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"bulkops bench on {info['nproc']} cores ({info['cpu']}), Python {info['python']}, "
          f"SQLite {info['sqlite']}, commit {info['commit']}", flush=True)
    rows: list[dict[str, Any]] = []
    if not args.no_import:
        rows += bench_imports(sizes, runs, out_dir, args.profile, args.mutation)
        if titles:
            rows += bench_title_only(titles, before, runs, out_dir)
    skipped = None
    if not args.no_export:
        if seed_available():
            rows.append(bench_export(products, 3, runs, out_dir))
        else:
            skipped = "export skipped: this build has no `bulkops seed` command yet"
            print(skipped)
    info["loadavg_at_end"] = os.getloadavg()[0]
    report = table(rows)
    print(report)
    args.out.write_bytes(orjson.dumps({"machine": info, "results": rows, "table": report, "note": skipped},
                                      option=orjson.OPT_INDENT_2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
