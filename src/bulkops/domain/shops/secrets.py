"""How a shop's secrets are kept: the access token only as a digest (the server only ever checks a token it is
given), the app secret encrypted (webhook HMACs need it back), with a key that never enters the database."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken


def token_digest(token: str) -> str:
    """The stored form of an access token. A plain SHA-256 suffices: tokens are 128 random bits, so there is no
    dictionary to try and no need for a slow, salted hash (which would also rule out lookup by digest)."""
    return hashlib.sha256(token.encode()).hexdigest()


class SecretBox:
    """Encrypts and decrypts stored secrets (Fernet: AES-128-CBC with an HMAC) under a key from the environment
    or the data dir. Every process of a deployment needs the same key; its fingerprint, recorded with the
    deployment, tells a process holding another key to stop before it writes secrets nobody can read."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))
        self.fingerprint = hashlib.sha256(b"bulkops secret key fingerprint:" + key.encode()).hexdigest()[:16]

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        """The secret; ``ValueError`` when it was sealed under another key."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("this secret was sealed with another key (BULKOPS_SECRET_KEY / <data dir>/secret.key)") \
                from exc
