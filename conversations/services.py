"""Writes in conversations: start one, send, and (issue 18's helpers) the rest.

Every write checks the policy (``conversations.permissions``), stores first, and publishes
its live event on commit (``portal.core.live.publish``): a message is never broadcast before
it is stored, and a client that missed the broadcast catches up by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import markup
from communities import permissions as policy
from communities.notifications import bell_changed
from conversations import permissions
from conversations.app_settings import app_settings
from conversations.models import (
    MAX_PARTICIPANTS,
    REACTIONS,
    Conversation,
    Message,
    MessageAttachment,
    MessageReaction,
    Participant,
)
from conversations.notifications import conversation_notifications_read
from portal.core import files, live

MAX_LENGTH = markup.MAX_LENGTH


def _require(user: Any, perm: str, obj: Any) -> None:
    if not policy.can(user, perm, obj):
        raise PermissionDenied(perm)


def conversation_topic(conversation: Conversation | int) -> str:
    return live.topic("conversation", getattr(conversation, "pk", conversation))


def user_topic(user: Any) -> str:
    return live.topic("user", getattr(user, "pk", user))


def _direct_key(a: Any, b: Any) -> str:
    low, high = sorted((a.pk, b.pk))
    return f"{low}-{high}"


@transaction.atomic
def conversation_start(*, acting_user: Any, people: Sequence[Any], title: str = "") -> Conversation:
    """A conversation between ``acting_user`` and ``people``: with one person, their direct
    conversation (the same one every time: started again, it is reopened); with several, a
    new group conversation. Everyone must be someone ``acting_user`` may write to."""
    people = list({person.pk: person for person in people if person.pk != acting_user.pk}.values())
    if not people:
        raise ValidationError(_("Choose at least one person to write to."), code="nobody")
    if len(people) + 1 > MAX_PARTICIPANTS:
        raise ValidationError(
            _("A conversation has at most %(limit)s people.") % {"limit": MAX_PARTICIPANTS},
            code="too_many",
        )
    for person in people:
        _require(acting_user, permissions.MESSAGE_PERSON, person)
    title = title.strip()[:120]
    if len(people) == 1:
        key = _direct_key(acting_user, people[0])
        conversation = Conversation.objects.filter(direct_key=key).first()
        if conversation is None:
            try:
                with transaction.atomic():
                    conversation = Conversation.objects.create(
                        kind=Conversation.Kind.DIRECT, direct_key=key, created_by=acting_user
                    )
            except IntegrityError:  # the other person started it at the same moment
                conversation = Conversation.objects.get(direct_key=key)
    else:
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP, title=title, created_by=acting_user
        )
    for person in [acting_user, *people]:
        seat, created = Participant.objects.get_or_create(conversation=conversation, user=person)
        if not created and seat.left_at is not None:
            seat.left_at = None
            seat.joined_at = timezone.now()
            seat.save(update_fields=["left_at", "joined_at"])
    return conversation


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            _("This is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(body), "limit": MAX_LENGTH},
            code="too_long",
        )
    return body


def _render(*, author: Any, conversation: Conversation, body: str) -> tuple[str, list]:
    """Markdown as in posts; a mention links only a person the author may see *and* who
    may read the conversation (anyone else stays plain text and learns nothing)."""
    from communities.selectors import people_visible_to

    wanted = markup.extract_mentions(body)
    resolved: dict = {}
    if wanted:
        names = {name for name, _pk in wanted}
        candidates = list(people_visible_to(author).filter(display_name__in=names)[:50])
        for name, pk in wanted:
            matches = [
                p for p in candidates if p.display_name == name and (pk is None or p.pk == pk)
            ]
            if len(matches) == 1 and policy.can(matches[0], permissions.VIEW, conversation):
                resolved[(name, pk)] = matches[0]
    html = markup.render(
        body,
        hashtag_url=reverse("communities:hashtag", args=["TAG"]).replace("TAG", "{}"),
        mentions={
            key: (person.name, reverse("accounts:person", args=[person.pk]))
            for key, person in resolved.items()
        },
    )
    return html, list({p.pk: p for p in resolved.values()}.values())


@transaction.atomic
def message_send(
    *,
    acting_user: Any,
    conversation: Conversation,
    body: str,
    reply_to: Message | None = None,
    client_token: str = "",
    attachments: Sequence[Any] = (),
) -> Message:
    """Store a message, move the conversation up the lists, mark it read for its author,
    and announce it on commit. ``attachments`` are uploads already checked by the form
    (``communities.forms.validate_attachment``: size, the documents' content check), each
    with ``is_image`` set; a message may be files alone."""
    _require(acting_user, permissions.WRITE, conversation)
    body = "" if attachments and not (body or "").strip() else _clean_body(body)
    client_token = client_token[:64]
    if client_token:
        earlier = Message.objects.filter(author=acting_user, client_token=client_token).first()
        if earlier is not None:
            return earlier  # the same message sent twice
    if reply_to is not None and (
        reply_to.conversation_id != conversation.pk or reply_to.kind != Message.Kind.MESSAGE
    ):
        raise ValidationError(_("This reply belongs to another conversation."))
    _check_rate(acting_user=acting_user, conversation=conversation)
    html, mentioned = (
        _render(author=acting_user, conversation=conversation, body=body) if body else ("", [])
    )
    message = Message.objects.create(
        conversation=conversation,
        author=acting_user,
        body=body,
        body_html=html,
        reply_to=reply_to,
        client_token=client_token,
    )
    if mentioned:
        message.mentions.set(mentioned)
    _store_attachments(message, attachments)
    _moved_up(conversation, message)
    Participant.objects.update_or_create(
        conversation=conversation,
        user=acting_user,
        defaults={"last_read_id": message.pk, "notified_id": message.pk},
        create_defaults={"last_read_id": message.pk, "notified_id": message.pk},
    )
    live.publish(conversation_topic(conversation), "message.new", {"id": message.pk})
    # The author too: writing read the conversation to its end, so their own count may fall
    # (a reply sent within the page's read-mark delay would otherwise leave it stale).
    _announce_unread(conversation)
    return message


# --- Rate limits ----------------------------------------------------------------------------


def _rate_limits() -> tuple[int, int, int]:
    """(messages per person, messages per conversation, window in seconds)."""
    return (
        app_settings.RATE_PER_PERSON,
        app_settings.RATE_PER_CONVERSATION,
        app_settings.RATE_WINDOW_SECONDS,
    )


def _check_rate(*, acting_user: Any, conversation: Conversation) -> None:
    """Refuse a message beyond the limits (a runaway script, a flood): the person is told
    plainly and keeps what they wrote. Two counts on the (author/conversation, id) indexes."""
    per_person, per_conversation, window = _rate_limits()
    since = timezone.now() - timedelta(seconds=window)
    recent = Message.objects.filter(created_at__gte=since, kind=Message.Kind.MESSAGE)
    if recent.filter(author=acting_user.pk).count() >= per_person:
        raise ValidationError(
            _(
                "You have sent %(count)s messages in the last minute: wait a moment, then send "
                "this one again."
            )
            % {"count": per_person},
            code="rate_person",
        )
    if recent.filter(conversation=conversation.pk).count() >= per_conversation:
        raise ValidationError(
            _("This conversation is very busy right now: wait a moment, then send again."),
            code="rate_conversation",
        )


# --- What changes after a message ----------------------------------------------------------


def _moved_up(conversation: Conversation, message: Message) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, last_message_id=message.pk
    )
    conversation.last_message_at, conversation.last_message_id = message.created_at, message.pk


def _announce_unread(conversation: Conversation, *, except_user: Any = None) -> None:
    """Tell the current participants of a direct or group conversation that their unread
    count may have moved (the count is computed at delivery, for each of them)."""
    if conversation.is_community_chat:
        return
    seats = Participant.objects.filter(conversation=conversation.pk, left_at__isnull=True)
    if except_user is not None:
        seats = seats.exclude(user=except_user.pk)
    for user_id in seats.values_list("user_id", flat=True):
        live.publish(user_topic(user_id), "messages.unread", {"conversation": conversation.pk})


def _system_message(
    conversation: Conversation, *, kind: str, author: Any, subject: Any = None, body: str = ""
) -> Message:
    message = Message.objects.create(
        conversation=conversation, author=author, kind=kind, subject=subject, body=body
    )
    _moved_up(conversation, message)
    Participant.objects.filter(conversation=conversation.pk, user=author.pk).update(
        last_read_id=message.pk, notified_id=message.pk
    )
    live.publish(conversation_topic(conversation), "message.new", {"id": message.pk})
    return message


def _store_attachments(message: Message, attachments: Sequence[Any]) -> None:
    for upload in attachments:
        attachment = MessageAttachment(
            message=message,
            name=files.clean_filename(upload.name or "")[:200],
            size=upload.size,
            is_image=bool(getattr(upload, "is_image", False)),
        )
        # stored under a random key: the person's file name is shown, never a storage key
        attachment.file.save(files.random_name(upload.name or ""), upload, save=False)
        attachment.save()


# --- Messages: edit, delete, react, pin ------------------------------------------------------


@transaction.atomic
def message_update(*, acting_user: Any, message: Message, body: str) -> Message:
    """The author changes their own message (mentions are resolved again)."""
    _require(acting_user, permissions.EDIT_MESSAGE, message)
    body = _clean_body(body)
    if body == message.body:
        return message
    conversation = message.conversation
    html, mentioned = _render(author=acting_user, conversation=conversation, body=body)
    message.body, message.body_html, message.edited_at = body, html, timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    message.mentions.set(mentioned)
    live.publish(conversation_topic(conversation), "message.changed", {"id": message.pk})
    return message


@transaction.atomic
def message_delete(*, acting_user: Any, message: Message) -> Message:
    """The author, or a lead in a community chat, deletes a message: it keeps its place
    ("message deleted"), its text, files, reactions and mentions are gone."""
    _require(acting_user, permissions.DELETE_MESSAGE, message)
    for attachment in message.attachments.all():
        attachment.file.delete(save=False)
    message.attachments.all().delete()
    message.reactions.all().delete()
    message.mentions.clear()
    message.body = message.body_html = ""
    message.is_pinned = False
    message.deleted_at = timezone.now()
    message.save(update_fields=["body", "body_html", "is_pinned", "deleted_at"])
    live.publish(conversation_topic(message.conversation_id), "message.changed", {"id": message.pk})
    return message


@transaction.atomic
def message_react(*, acting_user: Any, message: Message, emoji: str) -> bool:
    """Toggle one of the fixed reactions; returns whether it is now on."""
    if emoji not in REACTIONS:
        raise ValidationError(_("Choose one of the reactions offered."), code="emoji")
    if message.kind != Message.Kind.MESSAGE or message.deleted_at is not None:
        raise ValidationError(_("This message can no longer be reacted to."), code="gone")
    _require(acting_user, permissions.WRITE, message.conversation)
    deleted, _rows = MessageReaction.objects.filter(
        message=message, user=acting_user, emoji=emoji
    ).delete()
    if not deleted:
        MessageReaction.objects.get_or_create(message=message, user=acting_user, emoji=emoji)
    live.publish(conversation_topic(message.conversation_id), "message.changed", {"id": message.pk})
    return not deleted


@transaction.atomic
def message_set_pinned(*, acting_user: Any, message: Message, pinned: bool) -> Message:
    """A lead pins a message of a community chat (or unpins it)."""
    _require(acting_user, permissions.MODERATE, message.conversation)
    if message.kind != Message.Kind.MESSAGE or message.deleted_at is not None:
        raise ValidationError(_("This message can no longer be pinned."), code="gone")
    if message.is_pinned != pinned:
        message.is_pinned = pinned
        message.save(update_fields=["is_pinned"])
        live.publish(
            conversation_topic(message.conversation_id), "message.changed", {"id": message.pk}
        )
    return message


# --- People: add, leave, rename, mute, read -------------------------------------------------


@transaction.atomic
def conversation_add_people(
    *, acting_user: Any, conversation: Conversation, people: Sequence[Any]
) -> list[Any]:
    """Add people to a group conversation: each one someone ``acting_user`` may write to;
    a conversation holds at most ``MAX_PARTICIPANTS``. Returns who was added."""
    _require(acting_user, permissions.ADD_PEOPLE, conversation)
    current = set(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    people = [p for p in {p.pk: p for p in people}.values() if p.pk not in current]
    if not people:
        raise ValidationError(_("Choose at least one person who is not here yet."), code="nobody")
    if len(current) + len(people) > MAX_PARTICIPANTS:
        raise ValidationError(
            _("A conversation has at most %(limit)s people.") % {"limit": MAX_PARTICIPANTS},
            code="too_many",
        )
    for person in people:
        _require(acting_user, permissions.MESSAGE_PERSON, person)
    for person in people:
        seat, created = Participant.objects.get_or_create(conversation=conversation, user=person)
        if not created:
            seat.left_at, seat.joined_at = None, timezone.now()
            seat.save(update_fields=["left_at", "joined_at"])
        _system_message(conversation, kind=Message.Kind.ADDED, author=acting_user, subject=person)
    live.publish(conversation_topic(conversation), "conversation.changed", {})
    _announce_unread(conversation, except_user=acting_user)
    return people


@transaction.atomic
def conversation_leave(*, acting_user: Any, conversation: Conversation) -> None:
    """Leave a direct or group conversation: the others keep the history."""
    _require(acting_user, permissions.LEAVE, conversation)
    _system_message(conversation, kind=Message.Kind.LEFT, author=acting_user)
    Participant.objects.filter(conversation=conversation, user=acting_user.pk).update(
        left_at=timezone.now()
    )
    live.publish(conversation_topic(conversation), "conversation.changed", {})
    live.publish(user_topic(acting_user), "messages.unread", {"conversation": conversation.pk})


@transaction.atomic
def conversation_rename(
    *, acting_user: Any, conversation: Conversation, title: str
) -> Conversation:
    _require(acting_user, permissions.RENAME, conversation)
    title = " ".join((title or "").split())[:120]
    if title == conversation.title:
        return conversation
    conversation.title = title
    conversation.save(update_fields=["title"])
    _system_message(conversation, kind=Message.Kind.RENAMED, author=acting_user, body=title)
    live.publish(conversation_topic(conversation), "conversation.changed", {})
    return conversation


def _seat_for(user: Any, conversation: Conversation) -> Participant:
    """``user``'s seat (created for a community chat, where it only holds the read mark
    and muting)."""
    seat, _created = Participant.objects.get_or_create(
        conversation=conversation,
        user=user,
        defaults={"left_at": None},
    )
    return seat


@transaction.atomic
def conversation_set_muted(*, acting_user: Any, conversation: Conversation, muted: bool) -> None:
    _require(acting_user, permissions.VIEW, conversation)
    seat = _seat_for(acting_user, conversation)
    if seat.is_muted != muted:
        seat.is_muted = muted
        seat.save(update_fields=["is_muted"])
        live.publish(user_topic(acting_user), "messages.unread", {"conversation": conversation.pk})


def conversation_mark_read(
    *, acting_user: Any, conversation: Conversation, up_to: int | None = None
) -> bool:
    """Move ``acting_user``'s read mark forward to ``up_to`` (default: the last message);
    never backward. Returns whether it moved (one UPDATE when it does not)."""
    if not policy.can(acting_user, permissions.VIEW, conversation):
        raise PermissionDenied(permissions.VIEW)
    target = (
        conversation.last_message_id if up_to is None else min(up_to, conversation.last_message_id)
    )
    if target <= 0:
        return False
    with transaction.atomic():
        moved = Participant.objects.filter(
            conversation=conversation, user=acting_user.pk, last_read_id__lt=target
        ).update(last_read_id=target)
        if not moved and conversation.is_community_chat:
            _created = Participant.objects.get_or_create(
                conversation=conversation,
                user=acting_user,
                defaults={"last_read_id": target, "notified_id": target},
            )[1]
            moved = int(_created)
        if moved:
            live.publish(
                user_topic(acting_user), "messages.unread", {"conversation": conversation.pk}
            )
            # What the bell said about this conversation is read too.
            if conversation_notifications_read(user=acting_user, conversation_id=conversation.pk):
                bell_changed([acting_user])
    return bool(moved)


# --- Community chats ------------------------------------------------------------------------


def chat_enabled_by_default(community: Any) -> bool:
    """A project community's chat is on until its lead turns it off; other kinds start off."""
    return community.kind == community.Kind.PROJECT


def community_chat_ensure(*, community: Any) -> Conversation:
    """The community's chat row, created on first use with the default for its kind."""
    chat = Conversation.objects.filter(community=community).first()
    if chat is not None:
        return chat
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                kind=Conversation.Kind.COMMUNITY,
                community=community,
                is_enabled=chat_enabled_by_default(community),
            )
    except IntegrityError:  # created at the same moment by another request
        return Conversation.objects.get(community=community)


@transaction.atomic
def community_chat_set_enabled(*, acting_user: Any, community: Any, enabled: bool) -> Conversation:
    """Whoever manages the community turns its chat on or off (the history stays)."""
    _require(acting_user, permissions.CONFIGURE, community)
    chat = community_chat_ensure(community=community)
    if chat.is_enabled != enabled:
        chat.is_enabled = enabled
        chat.save(update_fields=["is_enabled"])
        live.publish(conversation_topic(chat), "conversation.changed", {})
    return chat
