"""The addresses that bring mail into the portal: the reply address of a post and the address
of a community. A pure codec (settings and signing only); ``communities/inbound_mail.py`` turns
the mail that arrives at these addresses into comments and posts.

Each e-mail about a post carries a reply address ``reply+<token>@<COMMUNITIES_REPLY_DOMAIN>``
whose token names the person and the post and is signed (``django.core.signing``, salted,
valid with the keys of ``SECRET_KEY_FALLBACKS`` after a rotation; dated; lower-case so that
mail systems that fold case keep it valid).

A community's address, ``post+<community>.<signature>@<COMMUNITIES_REPLY_DOMAIN>``, cannot
be guessed from the community's name.

An upper app may own a kind of reply address (conversations: a reply becomes a message):
``reply+<kind>.<user>.<object>.<stamp>.<signature>@…`` with a lower-case kind of letters only
(so it never reads as a post's address), signed with a salt of its own kind;
``communities/inbound_mail.py`` hands what arrives there to the receiver that app registered.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

from communities.app_settings import app_settings
from portal.core import signing as signed

# ASCII digits without leading zeros only: one address has one spelling.
TOKEN_RE = re.compile(
    r"^reply\+([1-9][0-9]*)\.([1-9][0-9]*)\.([1-9a-z][0-9a-z]*)\.([a-z2-7]{16})$", re.ASCII
)
KIND_TOKEN_RE = re.compile(
    r"^reply\+([a-z]{1,12})\.([1-9][0-9]*)\.([1-9][0-9]*)\.([1-9a-z][0-9a-z]*)\.([a-z2-7]{16})$",
    re.ASCII,
)
KIND_RE = re.compile(r"[a-z]{1,12}", re.ASCII)
COMMUNITY_RE = re.compile(r"^post\+([1-9][0-9]*)\.([a-z2-7]{16})$", re.ASCII)


def _salt(purpose: str) -> str:
    return f"communities.replies.{purpose}"


def _legacy_encode(digest: bytes) -> str:
    return base64.b32encode(digest[:10]).decode().lower()


def _verify(value: str, mac: str, purpose: str) -> bool:
    """``mac`` signs ``value``: today's signature, or one of an address given out before
    issue 15 (a hand-made HMAC; README "Reply by e-mail" says how long it is accepted)."""
    if signed.unsign(f"{value}.{mac}", salt=_salt(purpose), lower_case=True) is not None:
        return True
    return signed.legacy_mac_matches(
        value, mac, key_salt=f"communities.{purpose}", encode=_legacy_encode
    )


def community_address(community: Any) -> str:
    """The community's e-mail address ("" when inbound mail is not configured)."""
    domain = app_settings.REPLY_DOMAIN
    if not domain:
        return ""
    mac = signed.signer(_salt("post"), lower_case=True).signature(f"0.{community.pk}.")
    return f"post+{community.pk}.{mac}@{domain}"


def read_community_address(address: str) -> int | None:
    """The community id a community address names, or None."""
    local, _, domain = address.strip().lower().partition("@")
    if not domain or domain != app_settings.REPLY_DOMAIN.lower():
        return None
    match = COMMUNITY_RE.match(local)
    if match is None or not _verify(f"0.{match.group(1)}.", match.group(2), "post"):
        return None
    return int(match.group(1))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def reply_address(*, user: Any, post_id: int, now: float | None = None) -> str:
    """The address that turns a reply into ``user``'s comment on the post; "" when reply by
    e-mail is not configured (no COMMUNITIES_REPLY_DOMAIN)."""
    domain = app_settings.REPLY_DOMAIN
    if not domain:
        return ""
    stamp = _base36(int(now if now is not None else time.time()))
    token = signed.sign(f"{user.pk}.{post_id}.{stamp}", salt=_salt("reply"), lower_case=True)
    return f"reply+{token}@{domain}"


def read_reply_address(address: str, *, now: float | None = None) -> tuple[int, int] | None:
    """(user id, post id) from a reply address, or None if it is not ours, forged or old."""
    local, _, domain = address.strip().lower().partition("@")
    if domain != app_settings.REPLY_DOMAIN.lower():
        return None
    match = TOKEN_RE.match(local)
    if match is None:
        return None
    user_id, post_id, stamp, mac = match.groups()
    if not _verify(f"{user_id}.{post_id}.{stamp}", mac, "reply"):
        return None
    age = (now if now is not None else time.time()) - int(stamp, 36)
    if not 0 <= age <= app_settings.REPLY_MAX_AGE_DAYS * 86400:
        return None
    return int(user_id), int(post_id)


def kind_reply_address(*, kind: str, user: Any, object_id: int, now: float | None = None) -> str:
    """The address that hands a reply by ``user`` to the receiver registered for ``kind``
    (``inbound_mail.register_reply_kind``) with ``object_id``; "" when reply by e-mail is not
    configured."""
    if not KIND_RE.fullmatch(kind):
        raise ValueError(kind)
    domain = app_settings.REPLY_DOMAIN
    if not domain:
        return ""
    stamp = _base36(int(now if now is not None else time.time()))
    token = signed.sign(
        f"{user.pk}.{object_id}.{stamp}", salt=_salt(f"reply.{kind}"), lower_case=True
    )
    return f"reply+{kind}.{token}@{domain}"


def read_kind_reply_address(
    address: str, *, now: float | None = None
) -> tuple[str, int, int] | None:
    """(kind, user id, object id) from an upper app's reply address, or None if it is not
    ours, forged (a signature of another kind included) or old."""
    local, _, domain = address.strip().lower().partition("@")
    if not domain or domain != app_settings.REPLY_DOMAIN.lower():
        return None
    match = KIND_TOKEN_RE.match(local)
    if match is None:
        return None
    kind, user_id, object_id, stamp, mac = match.groups()
    value = f"{user_id}.{object_id}.{stamp}"
    if signed.unsign(f"{value}.{mac}", salt=_salt(f"reply.{kind}"), lower_case=True) is None:
        return None
    age = (now if now is not None else time.time()) - int(stamp, 36)
    if not 0 <= age <= app_settings.REPLY_MAX_AGE_DAYS * 86400:
        return None
    return kind, int(user_id), int(object_id)
