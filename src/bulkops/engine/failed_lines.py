"""The failed-lines file of a finished import (the bulkops extension's ``failedLinesUrl``): exactly the input lines
whose results carried errors, byte for byte, in input order, so a user fixes them and runs the file again.

Both files are read as streams, side by side: the result file is in line order, so the input is read once, up to
each failed line in turn. Neither is held in memory; the output is spooled to disk past a few megabytes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, BinaryIO

import orjson

from bulkops.engine import operations as ops
from bulkops.engine.importer import line_failed
from bulkops.protocol.results import operation_prefix
from bulkops.storage.base import FileStore

SPOOL_BYTES = 8 * 1024 * 1024


def failed_lines_key(op: ops.Operation) -> str:
    return f"{operation_prefix(op.shop_id, op.id)}/failed-lines-{op.id}.jsonl"


def failed_numbers(results: BinaryIO) -> Iterator[int]:
    """The ``__lineNumber`` of each result line that carried errors, in the file's (ascending) order."""
    for raw in results:
        response = orjson.loads(raw)
        if line_failed(response):
            yield response["__lineNumber"]


def select_lines(source: BinaryIO, numbers: Iterator[int], out: IO[bytes]) -> int:
    """Copy the lines of ``source`` numbered ``numbers`` (ascending, from 0) to ``out``; returns how many."""
    position, written = 0, 0
    lines = iter(source.readline, b"")
    for wanted in numbers:
        for raw in lines:
            position += 1
            if position - 1 == wanted:
                out.write(raw)
                written += 1
                break
    return written


def write_failed_lines(store: FileStore, op: ops.Operation, results_key: str) -> str | None:
    """Store the operation's failed-lines file; its key, or None when no result line carried errors."""
    assert op.staged_upload_path is not None
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as out:
        with store.open(results_key) as results, store.open(op.staged_upload_path) as source:
            written = select_lines(source, failed_numbers(results), out)
        if not written:
            return None
        out.seek(0)
        key = failed_lines_key(op)
        store.put(key, out)  # type: ignore[arg-type]
        return key
