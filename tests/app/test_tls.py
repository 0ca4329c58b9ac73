"""``bulkops serve --tls``: a real server process on loopback serving HTTPS with a certificate from the local CA it
keeps in its data dir; clients trust that CA file, reach the server by a shop's domain, and keep trusting it
across restarts."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from tests.app.test_staged_uploads import BULK_INPUT, STAGE
from tests.server import ServerProcess

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def trusting(server: ServerProcess) -> ssl.SSLContext:
    """What a client that was told to trust the CA file does."""
    return ssl.create_default_context(cafile=server.ca_file)


def test_serve_tls_answers_rest_and_graphql_over_https_trusted_through_its_ca_file(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "tls", tls=True)
    with server:
        ca_before = server.ca_file.read_bytes()
        shop = server.new_shop("tls")
        headers = {"X-Shopify-Access-Token": shop.access_token or ""}
        with httpx.Client(verify=trusting(server), headers=headers) as client:
            rest = client.get(f"{server.base_url}/admin/api/2026-01/shop.json")
            query = client.post(f"{server.base_url}/admin/api/2026-01/graphql.json",
                                json={"query": "{ shop { myshopifyDomain } }"})
            by_domain = client.get(f"{server.base_url}/admin/api/2026-01/shop.json",
                                   headers={"Host": shop.domain}, extensions={"sni_hostname": shop.domain})
            mismatch = client.get(f"{server.base_url}/admin/api/2026-01/shop.json",
                                  headers={"Host": "not-this-shop.myshopify.com"},
                                  extensions={"sni_hostname": "not-this-shop.myshopify.com"})
            staged = client.post(f"{server.base_url}/admin/api/2026-01/graphql.json",
                                 json={"query": STAGE, "variables": {"input": [BULK_INPUT]}})
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{server.base_url}/healthz", verify=True)  # the public roots alone do not trust it
    log = (server.data_dir / "server.log").read_text()

    assert rest.status_code == 200 and rest.json()["shop"]["myshopify_domain"] == shop.domain
    assert query.json()["data"] == {"shop": {"myshopifyDomain": shop.domain}}
    assert by_domain.status_code == 200
    assert (mismatch.status_code, mismatch.json()) == (401, INVALID_TOKEN)
    target = staged.json()["data"]["stagedUploadsCreate"]["stagedTargets"][0]
    assert target["url"].startswith(f"https://127.0.0.1:{server.port}/")
    for told in ("SSL_CERT_FILE=", "REQUESTS_CA_BUNDLE=", f"NODE_EXTRA_CA_CERTS={server.ca_file.resolve()}",
                 "127.0.0.1 dev-shop.myshopify.com"):
        assert told in log

    with server:
        with httpx.Client(verify=trusting(server)) as client:
            again = client.get(f"{server.base_url}/admin/api/2026-01/shop.json",
                               headers={"X-Shopify-Access-Token": shop.access_token or ""})

    assert server.ca_file.read_bytes() == ca_before
    assert again.status_code == 200


def test_the_server_certificate_names_shop_domains_localhost_and_loopback(tmp_path: Path) -> None:
    from bulkops.app.tls import prepare_tls
    from bulkops.clock import SystemClock

    files = prepare_tls(tmp_path, SystemClock().now())
    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert {"*.myshopify.com", "localhost"} <= set(names.get_values_for_type(x509.DNSName))
    assert "127.0.0.1" in {str(a) for a in names.get_values_for_type(x509.IPAddress)}
    assert files.ca_cert.read_bytes() in files.ca_bundle.read_bytes()
    assert oct(files.ca_key.stat().st_mode & 0o777) == "0o600"
