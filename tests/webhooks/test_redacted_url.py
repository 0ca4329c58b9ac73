"""Callback URLs may carry credentials (``https://user:pw@host/...``, ``?token=...``): the deliverer's log lines
show them as ``***``."""

from __future__ import annotations

import pytest

from bulkops.webhooks.delivery import redacted_url


@pytest.mark.parametrize(("url", "logged"), [
    ("https://hooks.example.com/bulk", "https://hooks.example.com/bulk"),
    ("https://user:s3cret@hooks.example.com:8443/bulk", "https://***@hooks.example.com:8443/bulk"),
    ("https://hooks.example.com/bulk?token=abc&shop=x", "https://hooks.example.com/bulk?token=***&shop=***"),
    ("https://hooks.example.com/bulk#frag-secret", "https://hooks.example.com/bulk"),
])
def test_credentials_in_a_callback_url_are_redacted(url: str, logged: str) -> None:
    assert redacted_url(url) == logged
