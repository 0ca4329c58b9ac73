"""Log lines as text or JSON, each carrying the bulk operation and shop it was written for.

The engine binds the operation (and its shop) around an operation's work with :func:`log_context`; the binding
lives in a context variable, so it follows the work on its own thread and never leaks to another operation's
lines. ``--log-format json`` writes one JSON object per line for log collectors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"
QUIET_LIBRARIES = ("alembic", "botocore", "boto3")
"""Libraries whose INFO lines (each migration step, "Found credentials in environment variables") say nothing
an operator acts on: only their warnings and errors are logged."""

_context: ContextVar[dict[str, Any] | None] = ContextVar("bulkops_log_context", default=None)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Every log line written inside carries ``fields`` (added to any bound outside)."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: Any) -> None:
    """Add fields to the current binding (inside a :func:`log_context`, once they become known)."""
    _context.set({**(_context.get() or {}), **fields})


def current_context() -> dict[str, Any]:
    return dict(_context.get() or {})


class ContextFilter(logging.Filter):
    """Puts the bound fields on each record: ``record.context`` (text) and ``record.bulkops`` (JSON)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = current_context()
        record.bulkops = fields
        record.context = "".join(f" {k}={v}" for k, v in fields.items())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the bound fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "bulkops", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(log_format: str = "text", level: int = logging.INFO) -> logging.Handler:
    """The root logger writes to stderr in ``log_format`` ("text" or "json"); returns its handler."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"--log-format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for library in QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(max(level, logging.WARNING))
    return handler
