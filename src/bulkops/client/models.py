"""The SDK's typed results: a bulk operation's state and a staged upload target, read from the GraphQL
answers by their Shopify field names (``objectCount`` arrives as a string: it is an ``UnsignedInt64``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})


def _count(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


@dataclass(frozen=True)
class BulkOperation:
    """One bulk operation as ``node(id:)``, ``bulkOperations`` or a run mutation returns it."""

    id: str
    status: str
    type: str | None = None
    error_code: str | None = None
    created_at: str | None = None
    completed_at: str | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int = 0
    url: str | None = None
    partial_data_url: str | None = None
    query: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The object as the server sent it (fields this class does not name are kept here)."""

    @classmethod
    def from_node(cls, node: dict[str, Any]) -> BulkOperation:
        return cls(id=node["id"], status=node["status"], type=node.get("type"), error_code=node.get("errorCode"),
                   created_at=node.get("createdAt"), completed_at=node.get("completedAt"),
                   object_count=_count(node.get("objectCount")), root_object_count=_count(node.get("rootObjectCount")),
                   file_size=_count(node.get("fileSize")), url=node.get("url"),
                   partial_data_url=node.get("partialDataUrl"), query=node.get("query"), raw=node)

    @property
    def finished(self) -> bool:
        """COMPLETED, FAILED, CANCELED or EXPIRED: it will not change again."""
        return self.status in FINISHED

    @property
    def result_url(self) -> str | None:
        """The result file, or what a failed or canceled run left behind."""
        return self.url or self.partial_data_url


@dataclass(frozen=True)
class StagedTarget:
    """Where ``stagedUploadsCreate`` says to POST a file, and the form fields to send with it."""

    url: str
    resource_url: str | None
    parameters: list[tuple[str, str]]

    @classmethod
    def from_payload(cls, target: dict[str, Any]) -> StagedTarget:
        return cls(target["url"], target.get("resourceUrl"), [(p["name"], p["value"]) for p in target["parameters"]])

    @property
    def staged_upload_path(self) -> str:
        """The ``key`` parameter: what ``bulkOperationRunMutation(stagedUploadPath:)`` takes."""
        return dict(self.parameters)["key"]
