"""API keys: shown once, stored as a prefix to find the client and a SHA-256 of the whole key.

A key is `rdk_<prefix>_<secret>` with 256 random bits in the secret, so a fast hash is enough
(a password hash's slowness protects guessable secrets; these are not guessable), and every
request can afford to check it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_START = "rdk_"


@dataclass(frozen=True)
class NewKey:
    key: str
    prefix: str
    hashed: str


def key_generate() -> NewKey:
    prefix = secrets.token_hex(6)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=prefix, hashed=key_hash(key))


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """Return the prefix of a well-formed key, or None."""
    if not key.startswith(KEY_START):
        return None
    prefix, sep, secret = key[len(KEY_START) :].partition("_")
    if not sep or len(prefix) != 12 or not secret:
        return None
    return prefix


def key_matches(key: str, hashed: str) -> bool:
    return hmac.compare_digest(key_hash(key), hashed)
