"""Acceptance: an unmodified data connector from PyPI (airbyte-source-shopify) runs ``check``, ``discover`` and a
full ``read`` of every stream it can sync against ``bulkops serve --tls`` with a shop filled by ``bulkops seed``,
and gets exactly what was seeded.

The connector hard-codes ``https://{shop}.myshopify.com``. It reaches bulkops through the documented trust setting
(``REQUESTS_CA_BUNDLE``) and ``HTTPS_PROXY`` set to a local CONNECT proxy (tests/connect_proxy.py) that tunnels
the shop's domain to the server: TLS still runs end to end with the shop's domain, and no hosts file is touched.

The connector is installed once per version into its own venv under ``~/.cache/bulkops-tests`` (its dependencies
never meet the project's); the test is skipped when it cannot be installed (PyPI out of reach).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bulkops.app.tls import tls_files
from tests.connect_proxy import ShopProxy
from tests.server import ServerProcess

pytestmark = pytest.mark.slow

CONNECTOR = "airbyte-source-shopify"
VERSION = "4.3.0"
CACHE = Path(os.environ.get("BULKOPS_TEST_CACHE", Path.home() / ".cache" / "bulkops-tests"))
PRODUCTS, VARIANTS_PER_PRODUCT, CUSTOMERS, ORDERS = 12, 3, 7, 5
FULFILLED = 2
"""Seeded orders #1002 and #1005: every third order number is fulfilled."""

SEEDED = {
    "shop": 1, "locations": 1, "products": PRODUCTS, "product_variants": PRODUCTS * VARIANTS_PER_PRODUCT,
    "inventory_items": PRODUCTS * VARIANTS_PER_PRODUCT, "inventory_levels": PRODUCTS * VARIANTS_PER_PRODUCT,
    "customers": CUSTOMERS, "customer_address": CUSTOMERS,
    "orders": ORDERS, "order_agreements": ORDERS, "transactions": ORDERS, "tender_transactions": ORDERS,
    "customer_journey_summary": ORDERS, "fulfillments": FULFILLED,
}
"""Records per stream for the seeded shop (one location, an inventory item and a level per variant, one address
per customer; per order its sale agreement, its one paying transaction and its journey summary); every other
stream the connector syncs finds nothing (no collections, images, metafields, deleted products, refunds or risk
assessments are seeded) and must complete with no record."""


def connector_venv() -> Path:
    """The connector's own venv, made once per version; skips the test when pip cannot install it."""
    venv = CACHE / f"{CONNECTOR}-{VERSION}"
    program = venv / "bin" / "source-shopify"
    if program.exists():
        return program
    venv.parent.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], capture_output=True, text=True)
    installed = made.returncode == 0 and subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", f"{CONNECTOR}=={VERSION}"],
        capture_output=True, text=True, timeout=900)
    if not installed or installed.returncode != 0 or not program.exists():
        reason = (installed.stderr if installed else made.stderr).strip().splitlines()[-1:] or ["no output"]
        pytest.skip(f"cannot install {CONNECTOR}=={VERSION} from PyPI: {reason[0]}")
    return program


def messages(program: Path, command: list[str], env: dict[str, str], cwd: Path) -> list[dict[str, Any]]:
    """The connector's Airbyte protocol messages (one JSON object per line)."""
    done = subprocess.run([str(program), *command], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    found = []
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    assert found, f"no output from {command[0]}: {done.stderr[-2000:]}"
    return found


def of_type(found: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in found if m["type"] == kind]


def stream_errors(found: list[dict[str, Any]]) -> list[str]:
    return [m["trace"]["error"]["message"] for m in of_type(found, "TRACE") if m["trace"].get("type") == "ERROR"]


def test_the_shopify_connector_syncs_every_stream_it_can_with_the_counts_seeded(tmp_path: Path) -> None:
    program = connector_venv()
    server = ServerProcess(tmp_path / "data", tls=True)
    with server, ShopProxy(server.port) as proxy:
        shop = server.new_shop("airbyte")
        name = shop.domain.removesuffix(".myshopify.com")
        subprocess.run([sys.executable, "-m", "bulkops.cli", "seed", "--shop", name, "--products", str(PRODUCTS),
                        "--variants-per-product", str(VARIANTS_PER_PRODUCT), "--customers", str(CUSTOMERS),
                        "--orders", str(ORDERS),
                        "--data-dir", str(server.data_dir)], check=True, capture_output=True)
        config = {"shop": name, "credentials": {"auth_method": "api_password", "api_password": shop.access_token},
                  # one bulk job per stream: seeded products are up to a year old
                  "start_date": (datetime.now(UTC) - timedelta(days=400)).date().isoformat(),
                  "bulk_window_in_days": 1000}
        (tmp_path / "config.json").write_text(json.dumps(config))
        env = {**os.environ, "REQUESTS_CA_BUNDLE": str(tls_files(server.data_dir).ca_bundle),
               **{name: proxy.url for name in ("HTTPS_PROXY", "https_proxy")},
               **{name: "" for name in ("NO_PROXY", "no_proxy")}}
        run = ["--config", "config.json"]

        checked = of_type(messages(program, ["check", *run], env, tmp_path), "CONNECTION_STATUS")
        catalog = of_type(messages(program, ["discover", *run], env, tmp_path), "CATALOG")[0]["catalog"]
        configured = {"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
                                  for s in catalog["streams"]]}
        (tmp_path / "catalog.json").write_text(json.dumps(configured))
        read = messages(program, ["read", *run, "--catalog", "catalog.json"], env, tmp_path)

    records = Counter(m["record"]["stream"] for m in of_type(read, "RECORD"))
    names = {s["name"] for s in catalog["streams"]}

    assert checked == [{"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}}]
    assert set(SEEDED) | {"order_refunds", "order_risks", "metafield_orders"} <= names
    assert stream_errors(read) == []
    assert dict(records) == SEEDED
    assert set(proxy.hosts) == {shop.domain}
