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
        return hmac.compare_digest(self.sign(message), signature or "")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
