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


def test_shop_create_refuses_a_taken_or_malformed_name(tmp_path: Path) -> None:
    assert bulkops("shop", "create", "twice", "--data-dir", str(tmp_path)).returncode == 0

    again = bulkops("shop", "create", "twice", "--data-dir", str(tmp_path))
    malformed = bulkops("shop", "create", "Not A Name", "--data-dir", str(tmp_path))

    assert again.returncode == 2 and "already exists" in again.stdout
    assert malformed.returncode == 2


def test_serve_creates_a_development_shop_and_prints_its_token(tmp_path: Path) -> None:
    process = ServerProcess(tmp_path / "dev").start()
    process.stop()
    log = (tmp_path / "dev" / "server.log").read_text()

    assert "Created development shop dev-shop.myshopify.com" in log
    assert "access token: shpat_" in log
