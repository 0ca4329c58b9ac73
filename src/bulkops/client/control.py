"""``ControlPlane``: the control plane (``/__bulkops/``) of a bulkops server from Python, for test suites:
reset, seed, move the clock, read the request log, webhooks, dump and restore state, progression rules and
faults. Stands alone like the rest of client/: httpx and the JSON the endpoints speak (never Shopify's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson


class ControlPlaneError(RuntimeError):
    """The control plane refused a call: ``status`` and its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ClockState:
    now: str
    """The deployment's time, ISO 8601 with ``Z``."""
    offset_seconds: float
    virtual: bool


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


@dataclass(frozen=True)
class ResetResult:
    rows: dict[str, int]
    """Rows deleted, by table."""
    files: int
    canceled: int
    """Operations in flight canceled first."""
    undrained: int
    """Of those, how many had not stopped within the wait."""


class ControlPlane:
    """One server's control plane; ``admin_token`` is needed when the server was given ``BULKOPS_ADMIN_TOKEN``."""

    def __init__(self, base_url: str, admin_token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/__bulkops", headers=headers, timeout=timeout,
                                  trust_env=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None) -> Any:
        """One call; the answer's JSON, or a ControlPlaneError with the server's message."""
        content = orjson.dumps(body) if body is not None else None
        answer = self._http.request(method, path, content=content, params=params,
                                    headers={"Content-Type": "application/json"} if content else None)
        return _json_of(answer)

    def health(self) -> dict[str, Any]:
        """Version, backends, workers with their last heartbeat, queue depths."""
        return dict(self.call("GET", "/health"))

    # ---- reset and seed ---------------------------------------------------------------------------
    def reset(self, scope: str = "all", shop: str | None = None, wait_seconds: float | None = None) -> ResetResult:
        """Cancel the work in flight, delete the scope's rows and files, restart ids (``all``, ``operations``,
        ``shop_data``, ``webhooks``; one shop's, or every shop's)."""
        body: dict[str, Any] = {"scope": scope, **({"shop": shop} if shop else {}),
                                **({"waitSeconds": wait_seconds} if wait_seconds is not None else {})}
        answer = self.call("POST", "/reset", body)
        return ResetResult(answer["rows"], answer["files"], answer["canceled"], answer["undrained"])

    def seed(self, fixture: str = "products", count: int = 10, seed: int = 1, shop: str | None = None,
             variants_per_product: int = 1) -> dict[str, Any]:
        """Deterministic fixtures: after a reset, the same arguments give the same ids and data."""
        body: dict[str, Any] = {"fixture": fixture, "count": count, "seed": seed,
                                "variantsPerProduct": variants_per_product, **({"shop": shop} if shop else {})}
        return dict(self.call("POST", "/seed", body))

    def seed_export(self, jsonl: bytes, shop: str | None = None, new_ids: bool = False) -> dict[str, Any]:
        """Store a bulk-export result file (JSONL as Shopify writes it) under ``shop`` (default: the development
        shop), as ``bulkops load`` does: nodes per type, how many went into tables, the lines refused."""
        params = {k: v for k, v in (("shop", shop), ("newIds", "true" if new_ids else None)) if v is not None}
        answer = self._http.post("/seed", content=jsonl, params=params,
                                 headers={"Content-Type": "application/jsonl"})
        return dict(_json_of(answer))

    # ---- progression ------------------------------------------------------------------------------
    def progression(self) -> list[dict[str, Any]]:
        """The progression rules in force (each with its id and match)."""
        return list(self.call("GET", "/progression")["rules"])

    def set_progression(self, *rules: dict[str, Any]) -> list[dict[str, Any]]:
        """Replace the progression rules, e.g. ``{"match": {"type": "MUTATION"}, "mode": "manual"}``."""
        return list(self.call("PUT", "/progression", {"rules": list(rules)})["rules"])

    def clear_progression(self) -> int:
        return int(self.call("DELETE", "/progression")["deleted"])

    def advance(self, operation_id: str | int, *, lines: int | None = None, to: str | None = None) -> Advanced:
        """Move an operation ``lines`` lines on, or ``to`` COMPLETED, FAILED, EXPIRED or CANCELED; answers once
        the move shows."""
        body = {"lines": lines} if lines is not None else {"to": to}
        raw = self.call("POST", f"/operations/{_gid(operation_id)}/advance", body)
        return Advanced(raw["id"], raw["status"], raw["errorCode"], int(raw["objectCount"]), int(raw["linesDone"]))

    # ---- faults -----------------------------------------------------------------------------------
    def faults(self) -> list[dict[str, Any]]:
        """The faults set, each with its id, ``times`` and how often it ``fired``."""
        return list(self.call("GET", "/faults")["faults"])

    def set_faults(self, *faults: dict[str, Any]) -> list[dict[str, Any]]:
        """Replace the faults, e.g. ``{"type": "FAIL_OPERATION", "afterLines": 5, "partialData": True}``."""
        return list(self.call("PUT", "/faults", {"faults": list(faults)})["faults"])

    def clear_faults(self) -> int:
        return int(self.call("DELETE", "/faults")["deleted"])

    # ---- request log ------------------------------------------------------------------------------
    def requests(self, shop: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The Shopify endpoint's recent calls, oldest first: time, shop, version, kind, operation name, root
        fields, variables (truncated), status, error codes, duration, cost."""
        params = {k: v for k, v in (("shop", shop), ("limit", limit)) if v is not None}
        return list(self.call("GET", "/requests", params=params)["requests"])

    def clear_requests(self) -> int:
        return int(self.call("DELETE", "/requests")["deleted"])

    # ---- webhooks ---------------------------------------------------------------------------------
    def deliveries(self, shop: str | None = None) -> list[dict[str, Any]]:
        """Every webhook delivery (newest first) with its attempts."""
        return list(self.call("GET", "/webhooks/deliveries", params={"shop": shop} if shop else None)["deliveries"])

    def redeliver(self, delivery_id: int) -> int:
        """Send a delivery's event again as a new delivery; its id."""
        return int(self.call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")["deliveryId"])

    def trigger_finish(self, operation_id: str) -> int:
        """Announce ``bulk_operations/finish`` for a finished operation again; how many deliveries."""
        return int(self.call("POST", "/webhooks/trigger", {"operationId": operation_id})["deliveries"])

    # ---- state ------------------------------------------------------------------------------------
    def dump_state(self) -> bytes:
        """The deployment's rows and files as a ``.tar.gz`` archive."""
        answer = self._http.get("/state")
        if answer.status_code >= 400:
            _json_of(answer)
        return answer.content

    def restore_state(self, archive: bytes) -> dict[str, Any]:
        """Replace the deployment's state with an archive's: rows restored per table, and files."""
        answer = self._http.post("/state", content=archive, headers={"Content-Type": "application/gzip"})
        return dict(_json_of(answer))

    # ---- clock ------------------------------------------------------------------------------------
    def clock(self) -> ClockState:
        return _clock(self.call("GET", "/clock"))

    def advance_clock(self, duration: str | float, force: bool = False) -> ClockState:
        """Move the server's time: ``"7d"``, ``"1d12h"``, ``"90s"`` or seconds (backwards needs ``force``)."""
        return _clock(self.call("POST", "/clock", {"advance": duration, "force": force}))

    def set_clock(self, instant: str, force: bool = False) -> ClockState:
        return _clock(self.call("POST", "/clock", {"set": instant, "force": force}))

    def real_time(self) -> ClockState:
        return _clock(self.call("DELETE", "/clock"))


def _json_of(answer: httpx.Response) -> Any:
    try:
        body = answer.json() if answer.content else None
    except ValueError:
        body = None
    if answer.status_code >= 400:
        message = body.get("error") if isinstance(body, dict) else None
        raise ControlPlaneError(answer.status_code, str(message or answer.text[:200]))
    return body


def _clock(body: dict[str, Any]) -> ClockState:
    return ClockState(body["now"], body["offsetSeconds"], body["virtual"])
