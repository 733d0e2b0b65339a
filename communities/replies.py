"""Reply by e-mail: answering a notification or a digest item becomes a comment on the post.

Each e-mail about a post carries a reply address ``reply+<token>@<COMMUNITIES_REPLY_DOMAIN>``
whose token names the person and the post and is signed (HMAC with the site's secret key,
dated, lower-case so that mail systems that fold case keep it valid). Inbound mail arrives
through django-anymail's signed inbound webhooks; :func:`reply_receive` turns it into a
comment only when the signature holds, the token is recent, the sender is the token's owner,
the post still exists and that person may still comment there. Anything else is dropped and
logged, never posted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import strip_tags

from communities.models import Comment, Post

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = getattr(settings, "COMMUNITIES_REPLY_MAX_AGE_DAYS", 30) * 86400
MAX_BODY = 10_000  # characters of reply kept as a comment
MAX_ATTACHMENTS = 10  # more is refused outright (attachments themselves are never posted)
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
TOKEN_RE = re.compile(r"^reply\+(\d+)\.(\d+)\.([0-9a-z]+)\.([a-z2-7]{16})$")


def _mac(user_id: int, post_id: int, stamp: str) -> str:
    key = hashlib.sha256(f"communities.reply:{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, f"{user_id}.{post_id}.{stamp}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()  # 80 bits, 16 characters


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
    domain = getattr(settings, "COMMUNITIES_REPLY_DOMAIN", "")
    if not domain:
        return ""
    stamp = _base36(int(now if now is not None else time.time()))
    return f"reply+{user.pk}.{post_id}.{stamp}.{_mac(user.pk, post_id, stamp)}@{domain}"


def read_reply_address(address: str, *, now: float | None = None) -> tuple[int, int] | None:
    """(user id, post id) from a reply address, or None if it is not ours, forged or old."""
    local, _, domain = address.strip().lower().partition("@")
    if domain != getattr(settings, "COMMUNITIES_REPLY_DOMAIN", "").lower():
        return None
    match = TOKEN_RE.match(local)
    if match is None:
        return None
    user_id, post_id, stamp, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(int(user_id), int(post_id), stamp)):
        return None
    age = (now if now is not None else time.time()) - int(stamp, 36)
    if not 0 <= age <= MAX_AGE_SECONDS:
        return None
    return int(user_id), int(post_id)


# Where the quoted message or the signature starts, in English and French mail clients.
_CUT = re.compile(
    r"^(?:>|-- ?$|_{5,}|-{3,} ?(?:Original Message|Message d'origine)"
    r"|On .{1,200} wrote:$|Le .{1,200} a écrit ?:$|De ?: |From: |Sent from my )",
    re.IGNORECASE,
)


def strip_reply(text: str) -> str:
    """The new part of a reply: everything before the quoted message or the signature."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _CUT.match(line.strip()):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def reply_receive(*, message: Any) -> Comment | None:
    """Turn an inbound message (anymail's ``AnymailInboundMessage``) into a comment, or drop
    it with a logged reason. Returns the comment when one was written."""
    from communities.services import comment_create

    recipients = [a.addr_spec for a in (message.to or []) + (message.cc or [])]
    envelope = getattr(message, "envelope_recipient", None)
    if envelope:
        recipients.append(envelope)
    token = next((t for t in map(read_reply_address, recipients) if t), None)
    if token is None:
        logger.warning("reply dropped: no valid reply address in %s", recipients)
        return None
    user_id, post_id = token
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    sender = message.from_email.addr_spec.lower() if message.from_email else ""
    if user is None or sender != user.email.lower():
        logger.warning("reply dropped: sender %r is not the token's owner %s", sender, user_id)
        return None
    attachments = list(message.attachments or [])
    if (
        len(attachments) > MAX_ATTACHMENTS
        or sum(len(a.get_content_bytes() or b"") for a in attachments) > MAX_ATTACHMENT_BYTES
    ):
        logger.warning("reply dropped: too many or too large attachments from %s", user_id)
        return None
    post = Post.objects.select_related("community").filter(pk=post_id).first()
    if post is None:
        logger.warning("reply dropped: post %s no longer exists", post_id)
        return None
    text = message.text or strip_tags(message.html or "")
    body = strip_reply(text)[:MAX_BODY]
    if not body:
        logger.warning("reply dropped: nothing but quoted text from %s", user_id)
        return None
    try:
        return comment_create(acting_user=user, post=post, body=body)
    except (PermissionDenied, ValidationError) as exc:
        logger.warning("reply dropped: %s may not comment on post %s (%s)", user_id, post_id, exc)
        return None
