"""The ``bulkops`` command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import orjson

from tests.server import ServerProcess


def bulkops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulkops.cli", *args], capture_output=True, text=True, timeout=120)


def test_shop_create_prints_a_working_token_as_json(server: ServerProcess) -> None:
    created = bulkops("shop", "create", "cli-made-shop", "--json", "--data-dir", str(server.data_dir))

    shop = orjson.loads(created.stdout)
    response = httpx.post(f"{server.base_url}/admin/api/2026-10/graphql.json", json={"query": "{ shop { name } }"},
                          headers={"X-Shopify-Access-Token": shop["access_token"]})
    assert created.returncode == 0
    assert shop["domain"] == "cli-made-shop.myshopify.com" and len(shop["api_secret"]) == 32
    assert response.json()["data"] == {"shop": {"name": "cli-made-shop"}}


def test_serve_prints_its_banner_and_the_development_shop_token_once(tmp_path: Path) -> None:
    """The first start creates the development shop and prints its token; the next prints what it runs on, no
    token (the database keeps only its digest) and no Alembic chatter (no migration ran)."""
    process = ServerProcess(tmp_path / "dev")
    process.start()
    process.stop()
    first = (tmp_path / "dev" / "server.log").read_text()
    process.start()
    process.stop()
    second = (tmp_path / "dev" / "server.log").read_text()[len(first):]

    assert "Created development shop dev-shop.myshopify.com" in first and "access token: shpat_" in first
    assert "schema:   migrated from an empty database to " in first and "setup plugin" not in first
    assert "Running upgrade" not in first and "migrated" not in second
    assert f"database: sqlite:///{(tmp_path / 'dev' / 'bulkops.db').resolve()}" in second
    assert "queue:    none (embedded" in second and f"endpoint: http://127.0.0.1:{process.port}/admin" in second
    assert f"storage:  local files in {(tmp_path / 'dev' / 'files').resolve()}\n" in second
    assert "workers:  2 in-process, " in second
    assert "control:  /__bulkops/ (reset, seed, clock, requests, state; open on loopback)" in second
    assert "Development shop dev-shop.myshopify.com (its token was printed when it was created" in second
    assert "shpat_" not in second and "alembic" not in second
