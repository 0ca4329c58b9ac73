"""A big input never sits in memory: the local checks, the cut into parts and the upload all stream it from disk.
The bound is on tracemalloc's peak while a generated file many times that size goes through; and, end to end, on
the resident memory of the ``bulkops import`` process while a generated 1 GB file imports against a real server."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bulkops.client import BulkClient, RetryPolicy
from bulkops.client.checks import Checked, check_lines
from bulkops.client.inputs import Selection, parts, selected_lines
from bulkops.testing import InProcessServer
from tests.client.stub import stub_shop

MB = 1024 * 1024


def generate(path: Path, size: int) -> int:
    """A JSONL file of about ``size`` bytes of product lines; returns its line count."""
    block = b"".join(orjson.dumps({"product": {"title": f"Product {i}", "descriptionHtml": "x" * 60}}) + b"\n"
                     for i in range(1000))
    with path.open("wb") as out:
        for _ in range(size // len(block) + 1):
            out.write(block)
    return (size // len(block) + 1) * 1000


def _sink_requests(connection: socket.socket, received: list[int]) -> None:
    """Read each request on a kept-alive connection, counting its body in a fixed buffer, and answer 201."""
    block = bytearray(1 << 16)
    with connection:
        while True:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(1 << 16)
                if not chunk:
                    return
                head += chunk
            header, body = head.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"(?i)content-length: *(\d+)", header)[1])  # type: ignore[index]
            got = len(body)
            while got < length:
                got += connection.recv_into(block)
            received.append(length)
            connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")


@contextmanager
def upload_sink() -> Iterator[tuple[str, list[int]]]:
    """A stub shop whose staged target takes a file and keeps only its size. The target is a bare socket, not
    an ASGI server: a server in this process buffering the body would count in the client's peak."""
    received: list[int] = []
    sink = socket.create_server(("127.0.0.1", 0))
    sink_url = f"http://127.0.0.1:{sink.getsockname()[1]}/upload"

    def accept() -> None:
        while True:
            try:
                connection, _ = sink.accept()
            except OSError:
                return
            threading.Thread(target=_sink_requests, args=(connection, received), daemon=True).start()

    async def graphql(request: Request) -> Response:
        target = {"url": sink_url, "resourceUrl": None,
                  "parameters": [{"name": "key", "value": "tmp/bulk/vars.jsonl"}]}
        return JSONResponse({"data": {"stagedUploadsCreate": {"stagedTargets": [target], "userErrors": []}}})

    threading.Thread(target=accept, daemon=True).start()
    try:
        with stub_shop(graphql) as url:
            yield url, received
    finally:
        sink.close()


def test_checking_cutting_and_uploading_a_big_file_keeps_memory_flat(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    lines = generate(source, 4 * MB)
    checked = Checked()

    with upload_sink() as (url, received), BulkClient(url, "shpat_stub", retry=RetryPolicy(attempts=1)) as client:
        tracemalloc.start()
        check_lines(selected_lines(source, Selection()), None, checked)
        for part in parts(source, Selection(), max_bytes=3 * MB // 2):
            client.stage_file(part.path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    assert checked.lines == lines and checked.bad_lines == 0
    assert len(received) == 3 and sum(received) > source.stat().st_size  # parts of 1.5 MB; form fields add a little
    assert peak < MB, f"peak {peak / MB:.1f} MB for a {source.stat().st_size / MB:.0f} MB file"


def test_a_gzip_file_is_read_line_by_line_as_its_plain_text(tmp_path: Path) -> None:
    plain = tmp_path / "products.jsonl"
    generate(plain, MB)
    zipped = tmp_path / "products.jsonl.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))

    written = list(parts(zipped, Selection(), max_bytes=2 * MB))

    assert len(written) == 1 and written[0].start == 0
    assert [raw for _, raw in selected_lines(zipped, Selection())] == plain.read_bytes().splitlines()


GB = 1024 * MB
CLIENT_PEAK_RSS = 150 * MB
CREATE_PRODUCT = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
                  "{ product { id } userErrors { field message } } }")


def generate_big_lines(path: Path, size: int, line_bytes: int = MB) -> int:
    """About ``size`` bytes of ~1 MB lines; returns their count. Each line's bulk is a variable the mutation does
    not declare (GraphQL ignores it; so does Shopify, which coerces only declared variables): the client streams
    every byte, the server parses each line and makes one small product, so the server's work per byte is small."""
    pad = "x" * line_bytes
    count = written = 0
    with path.open("wb") as out:
        while written < size:
            line = orjson.dumps({"product": {"title": f"Big line {count}"}, "pad": pad}) + b"\n"
            out.write(line)
            written += len(line)
            count += 1
    return count


def peak_rss(pid: int) -> int:
    """The process's resident-memory high-water mark so far, in bytes (0 once it is gone). VmHWM is the
    kernel's own peak for the program this process runs now, so a spike between two readings still counts.
    (``wait4``'s ``ru_maxrss`` would not do: it includes the parent's pages the child had before its exec.)"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) * 1024 if found else 0


def run_measured(command: list[str], env: dict[str, str], log: Path) -> tuple[int, int]:
    """The command's exit code and the peak resident memory it reached, read until it ends."""
    peak = 0
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        while True:
            peak = max(peak, peak_rss(process.pid))
            try:
                return process.wait(timeout=0.05), peak
            except subprocess.TimeoutExpired:
                continue


@pytest.mark.slow  # ~20 s alone on 2 cores, ~1 min beside the rest of the suite
def test_a_1_gb_input_imports_in_parts_with_the_client_under_150_mb(tmp_path: Path) -> None:
    source, results, log = tmp_path / "big.jsonl", tmp_path / "results.jsonl", tmp_path / "client.log"
    try:
        lines = generate_big_lines(source, GB)
        with InProcessServer(tmp_path / "server", frozen=False) as server:
            env = {**os.environ, "BULKOPS_URL": server.base_url, "BULKOPS_TOKEN": server.new_shop("big").access_token}
            code, peak = run_measured([sys.executable, "-m", "bulkops.cli", "import", str(source), "--mutation-text",
                                       CREATE_PRODUCT, "--results", str(results), "--poll-interval", "0.1"], env, log)
        numbers = [orjson.loads(raw)["__lineNumber"] for raw in results.read_bytes().splitlines()]
        report = log.read_text()
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)

    assert code == 0, report[-3000:]
    assert report.count(": COMPLETED\n") == 11  # 1 GB in parts under the 100 MB upload limit, run in sequence
    assert f"  lines      {lines}\n  succeeded  {lines}\n  failed     0\n" in report
    assert numbers == list(range(lines))  # every line has its result, by the input's own line numbers
    assert peak < CLIENT_PEAK_RSS, f"client peak RSS {peak / MB:.0f} MB"
