"""The client side of a bulk flow, as ``bulkops import`` and ``bulkops export`` run it against bulkops or a real
shop: check a file before upload (``checks``), follow and fetch an operation (``session``), and turn its
result file into a summary and a failure report (``report``). The commands live in ``cli``; ``console`` draws
them. ``BulkClient`` (``sdk``) is the SDK, loaded on first use so that ``bulkops --help`` needs no HTTP stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bulkops.client.sdk import BulkClient, BulkClientError

__all__ = ["BulkClient", "BulkClientError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bulkops.client import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
