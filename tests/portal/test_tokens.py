"""portal.core.tokens (bearer tokens) and portal.core.signing (signed links): the one copy
that invitations, calendar feeds, API and webhook tokens, unsubscribe links and reply
addresses use."""

import base64
import hashlib
import hmac
import re

from portal.core import signing as signed
from portal.core.tokens import token_hash, token_issue, unusable_hash


def test_an_issued_token_is_256_random_bits_url_safe_and_only_its_hash_is_kept():
    token, hashed = token_issue()
    other, _ = token_issue()
    assert token != other
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes, base64 without padding
    assert hashed == hashlib.sha256(token.encode()).hexdigest() == token_hash(token)
    assert token not in hashed


def test_a_prefix_is_part_of_the_token_and_of_what_is_hashed():
    token, hashed = token_issue("pvs_")
    assert token.startswith("pvs_") and len(token) == 4 + 43
    assert hashed == token_hash(token) != token_hash(token.removeprefix("pvs_"))


def test_an_unusable_hash_matches_no_token_and_stays_unique():
    first, second = unusable_hash("7"), unusable_hash("7")
    assert first != second and first.startswith("revoked-7-")
    assert not re.fullmatch(r"[0-9a-f]{64}", first)  # never the hash of any token


def test_a_signed_value_reads_back_and_a_tampered_one_does_not():
    token = signed.sign("12.3", salt="tests.one")
    assert signed.unsign(token, salt="tests.one") == "12.3"
    assert signed.unsign(token, salt="tests.other") is None  # salted per purpose
    assert signed.unsign(token.replace("12.3", "12.4"), salt="tests.one") is None
    assert signed.unsign("garbage", salt="tests.one") is None


def test_a_lower_case_signature_survives_case_folding_and_is_not_the_plain_one():
    token = signed.sign("5.9.abc", salt="tests.mail", lower_case=True)
    assert token == token.lower()
    assert re.fullmatch(r"5\.9\.abc\.[a-z2-7]{16}", token)  # 80 bits, base32
    assert signed.unsign(token, salt="tests.mail", lower_case=True) == "5.9.abc"
    assert signed.unsign(token, salt="tests.mail") is None


def test_a_value_signed_before_a_key_rotation_still_reads(settings):
    token = signed.sign("1.0", salt="tests.rotate", lower_case=True)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert signed.unsign(token, salt="tests.rotate", lower_case=True) == "1.0"
    settings.SECRET_KEY_FALLBACKS = []
    assert signed.unsign(token, salt="tests.rotate", lower_case=True) is None


def test_a_legacy_mac_is_checked_with_every_key(settings):
    def encode(digest: bytes) -> str:
        return base64.b32encode(digest[:10]).decode().lower()

    def mac(secret: str) -> str:
        key = hashlib.sha256(f"tests.legacy:{secret}".encode()).digest()
        return encode(hmac.new(key, b"1.2", hashlib.sha256).digest())

    old = mac(settings.SECRET_KEY)
    check = {"key_salt": "tests.legacy", "encode": encode}
    assert signed.legacy_mac_matches("1.2", old, **check)
    assert not signed.legacy_mac_matches("1.3", old, **check)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "y" * 50
    assert signed.legacy_mac_matches("1.2", old, **check)
    settings.SECRET_KEY_FALLBACKS = []
    assert not signed.legacy_mac_matches("1.2", old, **check)
