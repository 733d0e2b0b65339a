"""Bearer tokens: invitation links, calendar-feed URLs, API and webhook tokens.

A token is 256 random bits, URL-safe, shown once to the person it is for; only its SHA-256
is stored (a unique column, so a token is found by one indexed lookup on its hash, never
compared by hand). A database dump therefore holds nothing that opens anything.
"""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    """The stored form of ``token`` (64 hex characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(prefix: str = "") -> tuple[str, str]:
    """A new token and its hash: ``(token, token_hash(token))``. ``prefix`` is a visible
    marker (``pvs_`` on API tokens, for secret scanners), not part of the secret."""
    token = prefix + secrets.token_urlsafe(32)  # 256 bits
    return token, token_hash(token)


def unusable_hash(label: str) -> str:
    """A value for a hash column that no token matches (a revoked token keeps its unique
    column filled): not 64 hex characters, and random so it stays unique."""
    return f"revoked-{label}-{secrets.token_hex(16)}"
