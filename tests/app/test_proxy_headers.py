"""``X-Forwarded-*`` counts only when the server is told it runs behind a proxy (``--proxy-headers``, as uvicorn):
otherwise any client could make the URLs the server hands out point at a host of its choosing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app.test_staged_uploads import BULK_INPUT, STAGE
from tests.server import InProcessServer

FORWARDED = {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "https"}


def staged_url(server: InProcessServer) -> str:
    shop = server.new_shop("proxied")
    assert shop.access_token is not None
    response = httpx.post(f"{server.base_url}/admin/api/2026-10/graphql.json",
                          json={"query": STAGE, "variables": {"input": [BULK_INPUT]}},
                          headers={"X-Shopify-Access-Token": shop.access_token, **FORWARDED})
    return response.json()["data"]["stagedUploadsCreate"]["stagedTargets"][0]["url"]


@pytest.fixture
def behind_a_proxy(tmp_path: Path) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path, {"proxy_headers": True}) as server:
        yield server


def test_forwarded_headers_are_ignored_by_default(clocked_server: InProcessServer) -> None:
    assert staged_url(clocked_server) == f"{clocked_server.base_url}/staged-uploads"


def test_forwarded_headers_from_a_trusted_proxy_count_with_proxy_headers(behind_a_proxy: InProcessServer) -> None:
    assert staged_url(behind_a_proxy) == "https://attacker.example/staged-uploads"


def test_behind_a_proxy_the_forwarded_host_must_name_the_tokens_shop(behind_a_proxy: InProcessServer) -> None:
    shop = behind_a_proxy.new_shop("forwarded")
    headers = {"X-Shopify-Access-Token": shop.access_token or ""}
    url = f"{behind_a_proxy.base_url}/admin/api/2026-01/shop.json"

    other = httpx.get(url, headers={**headers, "X-Forwarded-Host": "another-shop.myshopify.com"})
    own = httpx.get(url, headers={**headers, "X-Forwarded-Host": shop.domain, "Host": "internal:8000"})

    assert other.status_code == 401
    assert own.status_code == 200
