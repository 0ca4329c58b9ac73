"""Running one mutation as a bulk import and reading its result lines (shared by the shop-data tests)."""

from __future__ import annotations

from typing import Any

import orjson

from bulkops.client import BulkClient


def jsonl(*objects: object) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in objects)


def run_bulk(client: BulkClient, mutation: str, *variables: dict[str, Any]) -> list[dict[str, Any]]:
    """Stage ``variables`` as JSONL, run ``mutation`` over them, wait, and return the result lines in order."""
    started = client.run_mutation(mutation, client.stage(jsonl(*variables)))
    assert started["userErrors"] == [], started
    done = client.wait(started["bulkOperation"]["id"])
    assert done["status"] == "COMPLETED", done
    lines = client.results(done["url"])
    return sorted(lines, key=lambda line: line["__lineNumber"])
