"""The client side of a bulk flow, as ``bulkops import`` and ``bulkops export`` run it against bulkops or a real
shop: check a file before upload (``checks``), follow and fetch an operation (``session``), and turn its
result file into a summary and a failure report (``report``). The commands live in ``cli``; ``console`` draws
them. ``BulkClient`` and ``AsyncBulkClient`` (``sdk``) are the SDK, with typed results (``models``, ``report``)
and a retry policy (``retry``), loaded on first use so that ``bulkops --help`` needs no HTTP stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bulkops.client.models import BulkOperation, StagedTarget
    from bulkops.client.report import ImportReport, LineFailure
    from bulkops.client.retry import RetryPolicy
    from bulkops.client.sdk import AsyncBulkClient, BulkClient, BulkClientError

__all__ = ["AsyncBulkClient", "BulkClient", "BulkClientError", "BulkOperation", "ImportReport", "LineFailure",
           "RetryPolicy", "StagedTarget"]

_HOMES = {"AsyncBulkClient": "sdk", "BulkClient": "sdk", "BulkClientError": "sdk", "BulkOperation": "models",
          "StagedTarget": "models", "ImportReport": "report", "LineFailure": "report", "RetryPolicy": "retry"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f"bulkops.client.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
