"""What conversations holds about a person, for "Your data" (``portal/accounts/privacy.py``):
their conversations (with whom, read marks, muting), the messages they wrote with their
attachments, and their reactions.

Erasure decides as the floor does for posts and comments (``communities/privacy.py``): what
they wrote stays where it is, body and attachments included, shown as by "Former member"
(the others' conversation never loses a message and its replies keep their context);
their seats in direct and group conversations are left (the others keep the history), their
seats in community chats (read marks only) go, the tokens that deduplicated their sends are
cleared, and their mentions in other people's messages become the plain text that was
written.

Administrators export one whole conversation for legal hold with :func:`legal_hold_entries`
(only through the audited admin action in ``conversations/wagtail_hooks.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from conversations.models import (
    Conversation,
    Message,
    MessageAttachment,
    MessageReaction,
    Participant,
)
from portal.accounts.privacy import Contribution, Entry, FileEntry, JsonEntry, rows, safe_name


def _attachment_file(attachment: MessageAttachment) -> str:
    return (
        f"files/messages/{attachment.message_id}/{attachment.pk}-"
        f"{safe_name(attachment.name, fallback='attachment')}"
    )


def _message_row(message: Message) -> dict:
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "kind": message.kind,
        "author": message.author.name if message.author else None,
        "body": message.body,
        "reply_to": message.reply_to_id,
        "is_pinned": message.is_pinned,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "deleted_at": message.deleted_at,
        "attachments": [_attachment_file(a) for a in message.attachments.all()],
    }


def _conversation_row(seat: Participant) -> dict:
    conversation = seat.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": conversation.title,
        "community": conversation.community.name if conversation.community else None,
        "people": [
            other.user.name
            for other in conversation.participants.all()
            if other.left_at is None and not conversation.is_community_chat
        ],
        "joined_at": seat.joined_at,
        "left_at": seat.left_at,
        "is_muted": seat.is_muted,
        "last_read_message": seat.last_read_id or None,
    }


def export(user: Any) -> Iterator[Entry]:
    seats = (
        Participant.objects.filter(user=user)
        .select_related("conversation__community")
        .prefetch_related(
            Prefetch(
                "conversation__participants",
                queryset=Participant.objects.select_related("user").order_by("pk"),
            )
        )
        .order_by("pk")
    )
    yield JsonEntry("conversations.json", rows(seats, _conversation_row))
    messages = (
        Message.objects.filter(author=user)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("pk")
    )
    yield JsonEntry("messages.json", rows(messages, _message_row))
    yield JsonEntry(
        "message_reactions.json",
        rows(
            MessageReaction.objects.filter(user=user).order_by("pk"),
            lambda r: {"message": r.message_id, "emoji": r.emoji, "created_at": r.created_at},
        ),
    )
    attachments = MessageAttachment.objects.filter(message__author=user).order_by("pk")
    for attachment in attachments.iterator(chunk_size=500):
        yield FileEntry(_attachment_file(attachment), attachment.file.storage, attachment.file.name)


def erase(user: Any, *, email: str) -> None:
    from communities.services import body_html_rerender

    now = timezone.now()
    Participant.objects.filter(
        user=user, left_at__isnull=True, conversation__kind__in=("direct", "group")
    ).update(left_at=now)
    Participant.objects.filter(user=user, conversation__kind="community").delete()
    Message.objects.filter(author=user).exclude(client_token="").update(client_token="")
    mentioned = list(user.mentioned_in_messages.values_list("pk", flat=True))
    user.mentioned_in_messages.clear()
    body_html_rerender(queryset=Message.objects.filter(pk__in=mentioned))


def legal_hold_entries(conversation: Conversation) -> Iterator[Entry]:
    """Everything one conversation holds, for an administrator's legal-hold export: the
    conversation and who took part (names and addresses, when they joined and left), every
    message in order (deleted ones with their dates), reactions, and the stored files."""

    def about() -> Iterator[dict]:
        seats = conversation.participants.select_related("user").order_by("pk")
        yield {
            "id": conversation.pk,
            "kind": conversation.kind,
            "title": conversation.title,
            "community": conversation.community.name if conversation.community else None,
            "created_at": conversation.created_at,
            "created_by": conversation.created_by_id,
            "is_enabled": conversation.is_enabled,
            "exported_at": timezone.now(),
            "participants": [
                {
                    "user": seat.user_id,
                    "name": seat.user.name,
                    "email": seat.user.email,
                    "joined_at": seat.joined_at,
                    "left_at": seat.left_at,
                }
                for seat in seats
            ],
        }

    messages = (
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("pk")
    )
    yield JsonEntry("conversation.json", about, single=True)
    yield JsonEntry(
        "messages.json",
        rows(messages, lambda m: {**_message_row(m), "author_id": m.author_id}),
    )
    yield JsonEntry(
        "reactions.json",
        rows(
            MessageReaction.objects.filter(message__conversation=conversation).order_by("pk"),
            lambda r: {
                "message": r.message_id,
                "user": r.user_id,
                "emoji": r.emoji,
                "created_at": r.created_at,
            },
        ),
    )
    attachments = MessageAttachment.objects.filter(message__conversation=conversation)
    for attachment in attachments.order_by("pk").iterator(chunk_size=500):
        yield FileEntry(_attachment_file(attachment), attachment.file.storage, attachment.file.name)


contribution = Contribution(app="conversations", export=export, erase=erase)


# --- Legal hold (administrators, audited) ---------------------------------------------------

LEGAL_HOLD_ACTION = "conversations.legal_hold_export"
LEGAL_HOLD_REASON_MIN = 10


def legal_hold_export(*, acting_user: Any, conversation: Conversation, reason: str):
    """The zip of one conversation for legal hold, streamed; only an administrator may, with
    a reason (a case or request reference), and the export is written to the audit log
    (``wagtail.log_actions.log``: the conversation's history in the admin, and the site
    history report) before the first byte leaves."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _
    from wagtail.log_actions import log

    from portal.accounts.privacy import zip_stream
    from portal.core import principals

    if not principals.is_administrator(acting_user):
        raise PermissionDenied
    reason = " ".join((reason or "").split())[:500]
    if len(reason) < LEGAL_HOLD_REASON_MIN:
        raise ValidationError(
            _("Say why (at least %(count)s characters): the case or request it answers.")
            % {"count": LEGAL_HOLD_REASON_MIN},
            code="reason",
        )
    log(instance=conversation, action=LEGAL_HOLD_ACTION, user=acting_user, data={"reason": reason})
    return zip_stream(legal_hold_entries(conversation), now=timezone.now())


def legal_hold_filename(conversation: Conversation) -> str:
    return f"parvis-conversation-{conversation.pk}-{timezone.localdate().isoformat()}.zip"
