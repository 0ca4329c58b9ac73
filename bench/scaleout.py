"""Scale-out benchmark: one import, end to end over HTTP, on PostgreSQL + Celery with 1 and then 2 workers.

    .venv/bin/python bench/scaleout.py [--mutations productCreate,productSet] [--size 20] [--runs 1]
                                       [--out bench/out/scaleout.json]

Each run gets a fresh PostgreSQL database and queue name (as the scale-out tests do: tests/scaleout.py), one
``bulkops serve`` that only submits, and N ``bulkops worker`` processes (one Celery thread each), then times the
whole flow with BulkClient: staged upload, bulkOperationRunMutation, polling until COMPLETED, download. The floor
(decode each line, write a same-size result line) is measured in the same run on the same file. The 2-worker
figure is reported against the 1-worker one of the same run: wall-clock ratio (target at least 1.5x) and the
workers' CPU per 1,000 lines (which should stay flat: a second worker adds hands, not work).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from bench_server import BenchServer, cpu_seconds  # noqa: E402
from floor import import_floor  # noqa: E402
from run import MB, check_results, machine, median_of  # noqa: E402
from tests.scaleout import REDIS_URL, fresh_database, fresh_queue_name, sqlalchemy_url  # noqa: E402
from tests.workers.worker_process import WorkerProcess  # noqa: E402
from workload import WORKLOADS  # noqa: E402


def one_import(path: Path, lines: int, mutation: str, workers: int, work: Path) -> dict[str, Any]:
    """One import into a fresh deployment of ``workers`` worker processes; its figures."""
    floor_lines, floor_s = import_floor(path, work / "floor-out.jsonl")
    assert floor_lines == lines
    data = path.read_bytes()
    run_dir = work / "scaleout"
    shutil.rmtree(run_dir, ignore_errors=True)
    with fresh_queue_name("bench_scaleout") as name, fresh_database(name) as database_url:
        env = {"BULKOPS_DATABASE_URL": sqlalchemy_url(database_url), "BULKOPS_QUEUE_URL": REDIS_URL,
               "BULKOPS_QUEUE_NAME": name}
        server = BenchServer(run_dir, env=env, helper_processes=0).start()
        started_workers = [WorkerProcess(run_dir, env, concurrency=1).launch() for _ in range(workers)]
        try:
            for worker in started_workers:
                worker.wait_ready()
            figures = _timed_import(server, started_workers, data, path.name, mutation, lines)
        finally:
            for worker in started_workers:
                worker.stop()
            server.stop()
    shutil.rmtree(run_dir, ignore_errors=True)
    total = figures["seconds"]
    return {
        **figures, "workers": workers, "lines": lines, "lines_per_s": round(lines / total),
        "mb_per_s": round(len(data) / MB / total, 2), "floor_s": round(floor_s, 3),
        "floor_lines_per_s": round(lines / floor_s), "ratio_to_floor": round(total / floor_s, 1),
    }


def _timed_import(server: BenchServer, workers: list[WorkerProcess], data: bytes, filename: str, mutation: str,
                  lines: int) -> dict[str, Any]:
    client = server.client(server.new_shop())
    cpu_before = sum(cpu_seconds(w.pid) for w in workers)
    started = time.perf_counter()
    run = client.run_mutation(WORKLOADS[mutation][0], client.stage(data, filename))
    if run["userErrors"]:
        raise SystemExit(f"bulkOperationRunMutation refused: {run['userErrors']}")
    done = client.wait(run["bulkOperation"]["id"], interval=0.2, timeout=7200)
    if done["status"] != "COMPLETED":
        raise SystemExit(f"import ended {done['status']} ({done.get('errorCode')})")
    body = client.download(done["url"])
    seconds = time.perf_counter() - started
    cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu_before
    client.close()
    failed = check_results(body, lines, mutation)
    return {"seconds": round(seconds, 3), "failed_lines": failed, "worker_cpu_s": round(cpu, 2),
            "worker_cpu_ms_per_1000_lines": round(cpu * 1e6 / lines, 1)}


def bench_mutation(mutation: str, size: float, runs: int, out_dir: Path) -> dict[str, Any]:
    path = out_dir / f"{mutation}-{size:g}mb.jsonl"
    lines = WORKLOADS[mutation][1](path, int(size * MB))
    by_workers: dict[int, dict[str, Any]] = {}
    for workers in (1, 2):
        measured = []
        for attempt in range(runs):
            result = one_import(path, lines, mutation, workers, out_dir)
            print(f"  {mutation} {size:g} MB, {workers} worker(s), run {attempt + 1}/{runs}: "
                  f"{result['lines_per_s']:,} lines/s, {result['ratio_to_floor']}x floor, "
                  f"{result['worker_cpu_ms_per_1000_lines']} worker CPU ms per 1,000 lines", flush=True)
            measured.append(result)
        by_workers[workers] = {"runs": measured, "median": median_of(measured)}
    speedup = by_workers[1]["median"]["seconds"] / by_workers[2]["median"]["seconds"]
    print(f"  {mutation}: 2 workers take {speedup:.2f}x less wall-clock than 1 (target: at least 1.5x)", flush=True)
    return {"kind": "scaleout-import", "mutation": mutation, "size_mb": size, "one_worker": by_workers[1],
            "two_workers": by_workers[2], "two_to_one_speedup": round(speedup, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutations", default="productCreate,productSet")
    parser.add_argument("--size", type=float, default=20.0, help="MB of JSONL per import")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "scaleout.json")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    about = machine()
    print(f"machine: {about}", flush=True)
    rows = [bench_mutation(m, args.size, args.runs, args.out.parent) for m in args.mutations.split(",")]
    args.out.write_text(json.dumps({"machine": about, "results": rows}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
