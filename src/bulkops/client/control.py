"""The emulator's control plane from Python: typed calls to ``/__bulkops/`` on a bulkops server (never on
Shopify). Stands alone like the rest of client/: httpx and the JSON the endpoints speak."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class ControlPlaneError(RuntimeError):
    """The control plane refused a call (its HTTP status and message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status, self.message = status, message


@dataclass(frozen=True)
class Advanced:
    """An operation after ``advance``: its status, error code, counter and lines done."""

    id: str
    status: str
    error_code: str | None
    object_count: int
    lines_done: int


def _gid(operation_id: str | int) -> str:
    return str(operation_id).rsplit("/", 1)[-1]


class ControlPlane:
    def __init__(self, base_url: str, admin_token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self.http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"/__bulkops/{path}", json=body)
        payload = response.json() if response.content else None
        if response.status_code >= 400:
            message = payload.get("error") if isinstance(payload, dict) else response.text
            raise ControlPlaneError(response.status_code, str(message))
        return payload

    # ---- progression ------------------------------------------------------------------------------
    def progression(self) -> list[dict[str, Any]]:
        """The progression rules in force (each with its id and match)."""
        return list(self._call("GET", "progression")["rules"])

    def set_progression(self, *rules: dict[str, Any]) -> list[dict[str, Any]]:
        """Replace the progression rules, e.g. ``{"match": {"type": "MUTATION"}, "mode": "manual"}``."""
        return list(self._call("PUT", "progression", {"rules": list(rules)})["rules"])

    def clear_progression(self) -> int:
        return int(self._call("DELETE", "progression")["deleted"])

    def advance(self, operation_id: str | int, *, lines: int | None = None, to: str | None = None) -> Advanced:
        """Move an operation ``lines`` lines on, or ``to`` COMPLETED, FAILED, EXPIRED or CANCELED; answers once
        the move shows."""
        body = {"lines": lines} if lines is not None else {"to": to}
        raw = self._call("POST", f"operations/{_gid(operation_id)}/advance", body)
        return Advanced(raw["id"], raw["status"], raw["errorCode"], int(raw["objectCount"]), int(raw["linesDone"]))

    # ---- faults -----------------------------------------------------------------------------------
    def faults(self) -> list[dict[str, Any]]:
        """The faults set, each with its id, ``times`` and how often it ``fired``."""
        return list(self._call("GET", "faults")["faults"])

    def set_faults(self, *faults: dict[str, Any]) -> list[dict[str, Any]]:
        """Replace the faults, e.g. ``{"type": "FAIL_OPERATION", "afterLines": 5, "partialData": True}``."""
        return list(self._call("PUT", "faults", {"faults": list(faults)})["faults"])

    def clear_faults(self) -> int:
        return int(self._call("DELETE", "faults")["deleted"])
