"""Signed values for links and addresses that must work without a session: the one-click
unsubscribe link, the reply address of a post, a community's address.

``django.core.signing`` underneath (salted per purpose; still valid after a key rotation
while the old key is in ``SECRET_KEY_FALLBACKS``). A signer is built on each use, so that the
keys are read when signing, not when the module was imported.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac


class LowerCaseSigner(signing.Signer):
    """An 80-bit signature in lower-case base32, which survives mail systems that fold the
    case of an address and fits in its local part."""

    def signature(self, value: str, key: str | bytes | None = None) -> str:
        mac = salted_hmac(
            self.salt + "signer", value, key or self.key, algorithm=self.algorithm
        ).digest()
        return base64.b32encode(mac[:10]).decode().lower()


def signer(salt: str, *, lower_case: bool = False) -> signing.Signer:
    """The signer for one purpose (``salt``), with ``.`` between value and signature."""
    cls = LowerCaseSigner if lower_case else signing.Signer
    return cls(salt=salt, sep=".")


def sign(value: str, *, salt: str, lower_case: bool = False) -> str:
    return signer(salt, lower_case=lower_case).sign(value)


def unsign(signed: str, *, salt: str, lower_case: bool = False) -> str | None:
    """The value ``signed`` carries, or None when the signature does not hold."""
    try:
        return signer(salt, lower_case=lower_case).unsign(signed)
    except signing.BadSignature:
        return None


def legacy_mac_matches(value: str, mac: str, *, key_salt: str, encode: Callable[[bytes], str]):
    """Whether ``mac`` is the hand-made HMAC-SHA256 of ``value`` that links and addresses
    carried before issue 15 (key: SHA-256 of ``"<key_salt>:<secret>"``, digest written by
    ``encode``), with the current key or a fallback, compared in constant time. Accepted for
    a while after the move to ``django.core.signing`` (README says how long)."""
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        key = hashlib.sha256(f"{key_salt}:{secret}".encode()).digest()
        expected = encode(hmac.new(key, value.encode(), hashlib.sha256).digest())
        if hmac.compare_digest(mac, expected):
            return True
    return False
