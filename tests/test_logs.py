"""Logs: ``--log-format json`` writes one JSON object per line; every line of an operation's work names the
operation, the worker and the shop; takeovers and resumes are logged."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulkops.app.cli import app
from bulkops.logs import ContextFilter, JsonFormatter, configure_logging, log_context
from tests.engine.inprocess import InProcessBulk, products_jsonl
from tests.engine.test_engine_rules import crash_at_put, run_until_crash


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the ``bulkops`` loggers write, as ``--log-format json`` writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("bulkops")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def lines_of(out: io.StringIO) -> list[dict]:
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


def test_a_takeover_and_its_resume_are_logged_with_the_operation_and_shop_on_every_line(
        tmp_path: Path, json_lines: io.StringIO) -> None:
    bulk = InProcessBulk(tmp_path, chunk_lines=25, heartbeat_stale_s=60)
    try:
        op = bulk.start_import(products_jsonl(100))
        crash_at_put(bulk, 3)
        run_until_crash(bulk)
        bulk.clock.advance(61)
        json_lines.truncate(0)
        json_lines.seek(0)
        bulk.engine.run(op.id, "second-worker")
        logging.getLogger("bulkops.engine.engine").info("after the operation")
    finally:
        bulk.close()

    *work, after = lines_of(json_lines)
    messages = [line["message"] for line in work]
    assert messages == [
        f"took over bulk operation {op.id} from inline-worker: its heartbeat was older than 60 s",
        f"bulk operation {op.id} (MUTATION, RUNNING) runs on second-worker",
        f"bulk operation {op.id} resumes at chunk 2 (line 50): 2 chunks were already recorded",
        f"bulk operation {op.id} finished: COMPLETED, 100 objects",
    ]
    assert work[0]["level"] == "WARNING" and work[0]["logger"] == "bulkops.engine.engine"
    for line in work:
        assert line["operation"] == f"gid://shopify/BulkOperation/{op.id}"
        assert line["shop"] == bulk.shop.domain and line["shop_id"] == bulk.shop.id
        assert line["worker"] == "second-worker"
        assert line["time"].endswith("+00:00")
    assert "operation" not in after and "shop" not in after


def test_json_log_format_writes_one_object_per_line_with_the_bound_fields(
        capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        configure_logging("json")
        with log_context(operation="gid://shopify/BulkOperation/7", shop="a.myshopify.com"):
            logging.getLogger("bulkops.example").warning("chunk %s done", 3)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("bulkops.example").exception("it failed")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)

    first, second = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert {k: v for k, v in first.items() if k != "time"} == {
        "level": "WARNING", "logger": "bulkops.example", "message": "chunk 3 done",
        "operation": "gid://shopify/BulkOperation/7", "shop": "a.myshopify.com"}
    assert second["message"] == "it failed" and "RuntimeError: boom" in second["exception"]
    assert "operation" not in second


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_unknown_log_format_is_one_line_and_exit_code_2(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--log-format", "xml"])

    assert result.exit_code == 2
    assert "--log-format must be one of text, json, not 'xml'" in result.output
