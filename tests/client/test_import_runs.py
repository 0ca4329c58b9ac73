"""``bulkops import`` beyond one file in one go: the failed lines written back out to fix and import again, part of
a file (``--lines``), the rest of an earlier run (``--resume``), a file over the upload limit in parts, gzip input;
and ``operations`` / ``watch``. Against the server in this process, driven as a user types it."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from bulkops.cli import app
from bulkops.testing import InProcessServer

CREATE_PRODUCT = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title } userErrors { field message } } }"
)


@pytest.fixture
def env(client_server: InProcessServer) -> dict[str, str]:
    return {"BULKOPS_URL": client_server.base_url, "BULKOPS_TOKEN": client_server.new_shop("runs").access_token}


def line(title: str) -> bytes:
    return orjson.dumps({"product": {"title": title}})


def bulkops(*args: str | Path, env: dict[str, str]) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def run_import(file: Path, *more: str | Path, env: dict[str, str]) -> Result:
    return bulkops("import", file, "--mutation-text", CREATE_PRODUCT, "--poll-interval", "0.02", *more, env=env)


def results(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(raw) for raw in path.read_bytes().splitlines()]


def titles(path: Path) -> list[tuple[int, str]]:
    return [(r["__lineNumber"], r["data"]["productCreate"]["product"]["title"])  # type: ignore[index]
            for r in results(path) if r["data"]["productCreate"]["product"]]  # type: ignore[index]


def test_the_failed_lines_file_holds_exactly_the_failed_input_lines_and_imports_once_fixed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    products = tmp_path / "products.jsonl"
    products.write_bytes(b"\n".join([line("Kept"), line(""), b"not json", b"", line("Also kept"), line("")]) + b"\n")
    (tmp_path / "report").mkdir()

    first = run_import(products, "--failures", tmp_path / "report" / "failures.jsonl", env=env)
    failed = tmp_path / "report" / "products.failed.jsonl"
    failed.write_bytes(failed.read_bytes().replace(b'"title":""', b'"title":"Fixed"')
                       .replace(b"not json", line("Was not json")))
    second = run_import(failed, "--results", tmp_path / "second.jsonl", env=env)

    assert first.exit_code == 1, first.output
    assert f"  retry file written to {failed}\n" in first.stdout
    assert failed.read_bytes().count(b"\n") == 3
    assert second.exit_code == 0, second.output
    assert [title for _, title in titles(tmp_path / "second.jsonl")] == ["Fixed", "Was not json", "Fixed"]


def test_lines_runs_part_of_a_file_and_reports_the_files_line_numbers(tmp_path: Path, env: dict[str, str]) -> None:
    products = tmp_path / "products.jsonl"
    products.write_bytes(b"".join(line(f"Board {i}") + b"\n" for i in range(5)))

    run = run_import(products, "--lines", "2-3", "--results", tmp_path / "out.jsonl", env=env)

    assert run.exit_code == 0, run.output
    assert titles(tmp_path / "out.jsonl") == [(1, "Board 1"), (2, "Board 2")]
    assert "  lines      2\n  succeeded  2\n" in run.stdout
    assert "import COMPLETED 2/2 lines (100%), " in run.stderr and ", ETA 0s\n" in run.stderr


def test_resume_runs_only_the_lines_an_earlier_operation_has_no_result_for(tmp_path: Path, env: dict[str, str]
                                                                           ) -> None:
    products = tmp_path / "products.jsonl"
    products.write_bytes(b"".join(line(f"Board {i}") + b"\n" for i in range(4)))
    earlier = run_import(products, "--lines", "1-2", env=env)
    operation_id = earlier.stderr.split("started ", 1)[1].split()[0]

    rest = run_import(products, "--resume", operation_id, "--results", tmp_path / "rest.jsonl", env=env)
    nothing = run_import(products, "--resume", operation_id, "--lines", "1-2", env=env)
    tail = run_import(products, "--lines", "3-", env=env).stderr.split("started ", 1)[1].split()[0]
    head = run_import(products, "--resume", f"{tail}@3", "--results", tmp_path / "head.jsonl", env=env)

    assert earlier.exit_code == 0, earlier.output
    assert rest.exit_code == 0, rest.output
    assert titles(tmp_path / "rest.jsonl") == [(2, "Board 2"), (3, "Board 3")]
    assert nothing.exit_code == 0, nothing.output
    assert "nothing to run: every line selected is blank or already has a result" in nothing.stdout
    assert head.exit_code == 0, head.output
    assert titles(tmp_path / "head.jsonl") == [(0, "Board 0"), (1, "Board 1")]  # its lines 0-1 were the file's 2-3


def test_a_file_over_the_upload_limit_runs_in_parts_with_the_files_line_numbers(tmp_path: Path, env: dict[str, str]
                                                                               ) -> None:
    products = tmp_path / "products.jsonl"
    lines = [line(f"Board {i}") for i in range(7)]
    lines[5] = line("")
    products.write_bytes(b"\n".join(lines) + b"\n")

    run = run_import(products, "--max-file-bytes", "100", "--results", tmp_path / "out.jsonl",
                     "--failures", tmp_path / "failures.jsonl", env=env)

    assert run.exit_code == 1, run.output
    assert run.stderr.count("started gid://shopify/BulkOperation/") == 3  # 3 lines of 25-32 bytes fit in 100
    assert "(from line 4)" in run.stderr and "(from line 7)" in run.stderr and "import part 3" in run.stderr
    assert [n for n, _ in titles(tmp_path / "out.jsonl")] == [0, 1, 2, 3, 4, 6]
    assert "  lines      7\n  succeeded  6\n  failed     1\n" in run.stdout
    assert "  line 6: title: Title can't be blank\n" in run.stdout
    assert [f["__lineNumber"] for f in results(tmp_path / "failures.jsonl")] == [5]
    assert (tmp_path / "products.failed.jsonl").read_bytes() == line("") + b"\n"


def test_a_gzip_file_is_read_as_its_jsonl(tmp_path: Path, env: dict[str, str]) -> None:
    products = tmp_path / "products.jsonl.gz"
    products.write_bytes(gzip.compress(b"".join(line(f"Zipped {i}") + b"\n" for i in range(3))))

    run = run_import(products, "--results", tmp_path / "out.jsonl", env=env)

    assert run.exit_code == 0, run.output
    assert "products.jsonl: 3 lines, no problems found." in run.stdout
    assert titles(tmp_path / "out.jsonl") == [(0, "Zipped 0"), (1, "Zipped 1"), (2, "Zipped 2")]


def test_operations_lists_newest_first_and_filters_by_type_and_status(tmp_path: Path, env: dict[str, str]) -> None:
    products = tmp_path / "products.jsonl"
    products.write_bytes(line("Listed") + b"\n")
    assert run_import(products, env=env).exit_code == 0
    assert run_import(products, env=env).exit_code == 0
    assert bulkops("export", "--query-text", "{ products { edges { node { id } } } }", "--out", tmp_path / "x.jsonl",
                   "--poll-interval", "0.02", env=env).exit_code == 0

    listed = bulkops("operations", "--json", env=env)
    imports = bulkops("operations", "--type", "import", "--status", "completed", "--json", env=env)
    newest = bulkops("operations", "--limit", "1", env=env)

    everything = [orjson.loads(raw) for raw in listed.stdout.splitlines()]
    assert listed.exit_code == 0, listed.output
    assert [o["type"] for o in everything] == ["QUERY", "MUTATION", "MUTATION"]
    assert [o["id"] for o in everything] == sorted((o["id"] for o in everything),
                                                   key=lambda gid: -int(gid.rsplit("/", 1)[1]))
    assert [orjson.loads(raw)["type"] for raw in imports.stdout.splitlines()] == ["MUTATION", "MUTATION"]
    assert newest.stdout.startswith(everything[0]["id"]) and "QUERY" in newest.stdout and "COMPLETED" in newest.stdout
    assert len(newest.stdout.splitlines()) == 1


def test_watch_follows_an_operation_started_without_waiting(tmp_path: Path, env: dict[str, str]) -> None:
    products = tmp_path / "products.jsonl"
    products.write_bytes(line("Watched") + b"\n")
    started = run_import(products, "--no-wait", env=env)
    operation_id = started.stdout.strip().splitlines()[-1]

    watched = bulkops("watch", operation_id.rsplit("/", 1)[1], "--poll-interval", "0.02", "--progress-every", "0",
                      env=env)

    assert watched.exit_code == 0, watched.output
    assert f"{operation_id}: COMPLETED" in watched.stdout
    assert "import COMPLETED 1/1 lines (100%)" in watched.stderr  # bulkops's live progress knows the total


def test_an_import_that_does_not_complete_says_how_to_resume(tmp_path: Path, failing_server: InProcessServer
                                                            ) -> None:
    products = tmp_path / "products.jsonl"
    products.write_bytes(line("Never") + b"\n")
    env = {"BULKOPS_URL": failing_server.base_url, "BULKOPS_TOKEN": failing_server.new_shop("resume").access_token}

    run = run_import(products, env=env)

    operation_id = run.stderr.split("started ", 1)[1].split()[0]
    assert run.exit_code == 2, run.output
    assert f"to run the lines it did not reach: bulkops import {products} --resume {operation_id}\n" in run.stdout
