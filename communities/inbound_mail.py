"""Mail into the portal: a reply to a notification or a digest item becomes a comment on the
post; a message to a community's address becomes a post there (the addresses themselves are
``communities/replies.py``).

Inbound mail arrives through django-anymail's signed inbound webhooks (``communities.signals``);
:func:`reply_receive` turns it into a comment only when the address's signature holds, the token
is recent, the sender is the token's owner, the post still exists and that person may still
comment there. Anything else is dropped and logged, never posted; when the sender is the token's
owner, they get their text back with the reason (the post was deleted, they may no longer
comment there). Mail to a community's address becomes a post by the sender when the sender's
address belongs to an account that may post there, and is dropped otherwise.

An upper app owns a kind of reply address (``replies.kind_reply_address``) by registering a
:class:`ReplyKind` from its ``AppConfig.ready()`` (conversations: a reply becomes a message in
the conversation); the same checks apply (signature, age, sender, size), and a reply its
receiver refuses is sent back to its author with the reason, as a refused comment is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.html import strip_tags

from communities import permissions
from communities.models import Comment, Community, Post
from communities.replies import (
    read_community_address,
    read_kind_reply_address,
    read_reply_address,
)
from communities.services import comment_create, post_create
from portal.core.mail import send_templated_email

logger = logging.getLogger("communities.replies")  # the name operators already filter on

MAX_BODY = 10_000  # characters of reply kept as a comment
MAX_ATTACHMENTS = 10  # more is refused outright (attachments themselves are never posted)
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


# Where the quoted message or the signature starts, in English and French mail clients.
_CUT = re.compile(
    r"^(?:>|-- ?$|_{5,}|-{3,} ?(?:Original Message|Message d'origine)"
    r"|On .{1,200} wrote:$|Le .{1,200} a écrit ?:$|De ?: |From: |Sent from my )",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyKind:
    """What an upper app does with the replies sent to its kind of address.

    ``receive(user=, object_id=, body=)`` stores the reply as ``user`` (the address's owner,
    who proved to be the sender) and returns what it created; it raises
    ``ObjectDoesNotExist`` when the object is gone, ``PermissionDenied`` when the person may
    no longer write there and ``ValidationError`` when the text is refused. ``refused_template``
    is the e-mail (``send_templated_email`` prefix) that gives the author their text back,
    rendered with ``reason`` (deleted, no_right, refused) and ``body``."""

    kind: str
    receive: Callable[..., Any]
    refused_template: str = "communities/email/reply_refused"


_reply_kinds: dict[str, ReplyKind] = {}


def register_reply_kind(reply_kind: ReplyKind) -> None:
    """Called from an upper app's ``ready()``; registering a kind again replaces it."""
    _reply_kinds[reply_kind.kind] = reply_kind


def strip_reply(text: str) -> str:
    """The new part of a reply: everything before the quoted message or the signature."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _CUT.match(line.strip()):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def inbound_receive(*, message: Any) -> Comment | Post | None:
    """Turn an inbound message (anymail's ``AnymailInboundMessage``) into a comment (a reply
    address) or a post (a community address), or drop it with a logged reason."""
    recipients = [a.addr_spec for a in (message.to or []) + (message.cc or [])]
    envelope = getattr(message, "envelope_recipient", None)
    if envelope:
        recipients.append(envelope)
    if any(map(read_reply_address, recipients)):
        return reply_receive(message=message, recipients=recipients)
    kind_token = next((t for t in map(read_kind_reply_address, recipients) if t), None)
    if kind_token is not None:
        return kind_reply_receive(message=message, token=kind_token)
    community_id = next((c for c in map(read_community_address, recipients) if c), None)
    if community_id is not None:
        return community_mail_receive(message=message, community_id=community_id)
    logger.warning("inbound mail dropped: no address of ours in %s", recipients)
    return None


def _sender_and_body(message: Any, user: Any | None) -> str | None:
    """The reply's new text, or None (logged) when the sender or the size is wrong."""
    sender = message.from_email.addr_spec.lower() if message.from_email else ""
    if user is None or sender != user.email.lower():
        logger.warning("inbound mail dropped: sender %r is not an allowed account", sender)
        return None
    attachments = list(message.attachments or [])
    if (
        len(attachments) > MAX_ATTACHMENTS
        or sum(len(a.get_content_bytes() or b"") for a in attachments) > MAX_ATTACHMENT_BYTES
    ):
        logger.warning("inbound mail dropped: too many or too large attachments from %s", sender)
        return None
    text = message.text or strip_tags(message.html or "")
    body = strip_reply(text)[:MAX_BODY]
    if not body:
        logger.warning("inbound mail dropped: nothing but quoted text from %s", sender)
        return None
    return body


def reply_receive(*, message: Any, recipients: list[str]) -> Comment | None:
    """A reply to a notification or digest item: the token's owner comments on its post."""
    user_id, post_id = next(t for t in map(read_reply_address, recipients) if t)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    body = _sender_and_body(message, user)
    if body is None:
        return None
    post = Post.objects.select_related("community").filter(pk=post_id).first()
    if post is None:
        logger.warning("reply dropped: post %s no longer exists", post_id)
        _refuse(user=user, body=body, reason="deleted")
        return None
    try:
        return comment_create(acting_user=user, post=post, body=body)
    except (PermissionDenied, ValidationError) as exc:
        logger.warning("reply dropped: %s may not comment on post %s (%s)", user_id, post_id, exc)
        _refuse(
            user=user,
            body=body,
            reason="no_right" if isinstance(exc, PermissionDenied) else "refused",
        )
        return None


def kind_reply_receive(*, message: Any, token: tuple[str, int, int]) -> Any | None:
    """A reply to an upper app's address: its registered receiver stores it as the token's
    owner, or the author gets their text back with the reason."""
    kind, user_id, object_id = token
    reply_kind = _reply_kinds.get(kind)
    if reply_kind is None:
        logger.warning("reply dropped: nobody receives replies of kind %r", kind)
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    body = _sender_and_body(message, user)
    if body is None:
        return None
    try:
        return reply_kind.receive(user=user, object_id=object_id, body=body)
    except ObjectDoesNotExist:
        logger.warning("reply dropped: %s %s no longer exists", kind, object_id)
        reason = "deleted"
    except PermissionDenied:
        logger.warning("reply dropped: %s may no longer write to %s %s", user_id, kind, object_id)
        reason = "no_right"
    except ValidationError as exc:
        logger.warning("reply dropped: %s %s refused it (%s)", kind, object_id, exc)
        reason = "refused"
    _refuse(user=user, body=body, reason=reason, template=reply_kind.refused_template)
    return None


def _refuse(
    *, user: Any, body: str, reason: str, template: str = "communities/email/reply_refused"
) -> None:
    """Tell the author of a refused reply why, with their text, so that nothing they wrote
    is lost. Only once the sender proved to be the reply address's owner: the mail goes to
    that account's own address, in its language. ``reason``: deleted (the post is gone),
    no_right (they may no longer comment there), refused (the comment was not accepted)."""
    try:
        send_templated_email(template, to=[user], context={"reason": reason, "body": body})
    except Exception:  # the reply is dropped either way; the webhook must still answer 200
        logger.exception("could not tell %s that their reply was refused", user.pk)


def community_mail_receive(*, message: Any, community_id: int) -> Post | None:
    """Mail to a community's address from an account that may post there becomes its post
    (the subject in bold, then the text); from anyone else it is dropped."""
    sender = message.from_email.addr_spec if message.from_email else ""
    user = get_user_model().objects.filter(email__iexact=sender, is_active=True).first()
    community = Community.objects.filter(pk=community_id).first()
    body = _sender_and_body(message, user)
    if body is None or community is None:
        return None
    if not permissions.can(user, permissions.POST, community):
        logger.warning("community mail dropped: %s may not post in %s", user.pk, community_id)
        return None
    subject = " ".join((message.subject or "").split())[:200]
    try:
        return post_create(
            acting_user=user,
            community=community,
            body=f"**{subject}**\n\n{body}" if subject else body,
        )
    except ValidationError as exc:
        logger.warning("community mail dropped: %s", exc)
        return None
