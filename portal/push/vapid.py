"""VAPID keys (RFC 8292) in the form browsers and pywebpush take them: base64url without
padding, the private key as its raw 32-byte scalar, the public key as the uncompressed P-256
point (65 bytes, ``applicationServerKey``). Pure functions: the settings import this module."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from py_vapid import Vapid02

# The order of the P-256 group (a private key is a number below it).
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Raises ``ValueError`` (binascii.Error) on text that is not base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_point(vapid: Any) -> str:
    numbers = vapid.public_key.public_numbers()
    return b64url_encode(b"\x04" + numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big"))


def _private_raw(vapid: Any) -> str:
    return b64url_encode(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def generate_keys(*, seed: bytes | None = None) -> tuple[str, str]:
    """A new key pair: (public key, private key). With ``seed``, always the same pair for it
    (the test settings: every process of a test run, server and worker alike, agrees)."""
    if seed is None:
        vapid = Vapid02()
        vapid.generate_keys()
    else:
        value = int.from_bytes(hashlib.sha256(seed).digest(), "big") % _ORDER or 1
        vapid = Vapid02.from_raw(b64url_encode(value.to_bytes(32, "big")).encode())
    return _public_point(vapid), _private_raw(vapid)


def public_key_from_private(private: str) -> str:
    """The public key that belongs to a raw private key (to check a configured pair)."""
    return _public_point(Vapid02.from_raw(private.encode()))
