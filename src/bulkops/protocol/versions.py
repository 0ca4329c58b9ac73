"""Admin API versions: which are served, and how a retired one falls forward (spec 1.2)."""

from __future__ import annotations

import re

OLDEST_SUPPORTED = "2025-01"
NEWEST_STABLE = "2026-10"
RELEASE_CANDIDATE = "2027-01"
UNSTABLE = "unstable"

_QUARTERLY = re.compile(r"^(\d{4})-(01|04|07|10)$")


def _quarters(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    return out


STABLE_VERSIONS = _quarters(OLDEST_SUPPORTED, NEWEST_STABLE)
SERVED_VERSIONS = [*STABLE_VERSIONS, RELEASE_CANDIDATE, UNSTABLE]


def effective_version(requested: str) -> str | None:
    """The version that serves a request: itself, the oldest supported for a retired one, None if unknown."""
    if requested in SERVED_VERSIONS:
        return requested
    if _QUARTERLY.match(requested) and requested < OLDEST_SUPPORTED:
        return OLDEST_SUPPORTED
    return None


def has_bulk_operations_connection(version: str) -> bool:
    """``bulkOperation(id:)`` and ``bulkOperations`` exist from 2026-01."""
    return version >= "2026-01"


def public_api_versions() -> list[dict[str, object]]:
    versions = [
        {"handle": v, "displayName": v, "supported": True} for v in STABLE_VERSIONS
    ]
    versions[-1]["displayName"] = f"{NEWEST_STABLE} (Latest)"
    versions.append({"handle": RELEASE_CANDIDATE, "displayName": f"{RELEASE_CANDIDATE} (Release candidate)",
                     "supported": False})
    versions.append({"handle": UNSTABLE, "displayName": "unstable", "supported": False})
    return versions
