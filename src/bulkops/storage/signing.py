"""HMAC signatures for the URLs this server hands out (staged-upload policies and downloads)."""

from __future__ import annotations

import base64
import hashlib
import hmac


class Signer:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def sign(self, message: str) -> str:
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def verify(self, message: str, signature: str) -> bool:
        """Compared as UTF-8 bytes: ``compare_digest`` refuses ``str`` with non-ASCII characters, and any
        text a client sends must be a plain mismatch."""
        return hmac.compare_digest(self.sign(message).encode(), (signature or "").encode("utf-8", "replace"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
