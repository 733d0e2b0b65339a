"""Reads in conversations, filtered by the policy for the person who asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from conversations import permissions
from conversations.models import REACTIONS, Conversation, Message, MessageReaction, Participant


def conversation_get_for_user(*, user: Any, pk: int) -> Conversation:
    """One conversation ``user`` may read; ``Http404`` when it is missing *or* not theirs
    (what you may not see does not exist)."""
    conversation = Conversation.objects.select_related("community").filter(pk=pk).first()
    if conversation is None or not permissions.can_view(user, conversation):
        raise Http404
    return conversation


def conversations_visible_to(*, user: Any):
    """Every conversation ``user`` may read (the queryset form of the policy)."""
    return permissions.filter_visible(user, Conversation.objects.all())


# --- The list --------------------------------------------------------------------------------

PAGE_SIZE = 30  # conversations per page of the list; messages per page of a history
UNREAD_SHOWN = 100  # unread conversations shown at the top of the list, at most


def _my_seat(user: Any) -> QuerySet:
    return Participant.objects.filter(conversation=OuterRef("pk"), user=user.pk)


def _listed(user: Any) -> QuerySet:
    """The conversations of ``user``'s list: the direct and group conversations they sit in,
    and the community chats they may read where something was said; each annotated with
    their read mark and muting (one subquery each, whatever the number of rows)."""
    seat = _my_seat(user)
    qs = (
        conversations_visible_to(user=user)
        .filter(
            Q(kind=Conversation.Kind.COMMUNITY, last_message_id__gt=0)
            | ~Q(kind=Conversation.Kind.COMMUNITY)
        )
        .select_related("community")
        .annotate(
            my_last_read=Coalesce(Subquery(seat.values("last_read_id")[:1]), Value(0)),
            my_muted=Coalesce(Subquery(seat.values("is_muted")[:1]), Value(False)),
        )
        .annotate(
            is_unread=Case(
                When(last_message_id__gt=F("my_last_read"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    return qs


@dataclass
class ConversationPage:
    unread: list
    read: list
    next_before: int | None  # ``?before=`` of the next page of read conversations


def conversation_list_for(*, user: Any, before: int | None = None) -> ConversationPage:
    """``user``'s conversations: the unread ones first (newest first, at most
    ``UNREAD_SHOWN``), then the others newest first, paged by ``last_message_id`` (a key
    that only grows: no OFFSET, no count). Each carries ``people`` (the other current
    participants), ``last_message`` and ``display_title``; a constant number of queries."""
    qs = _listed(user)
    unread = (
        []
        if before
        else list(qs.filter(is_unread=True).order_by("-last_message_id", "-pk")[:UNREAD_SHOWN])
    )
    read_qs = qs.filter(is_unread=False)
    if before:
        read_qs = read_qs.filter(last_message_id__lt=before)
    read = list(read_qs.order_by("-last_message_id", "-pk")[: PAGE_SIZE + 1])
    next_before = None
    if len(read) > PAGE_SIZE:
        read = read[:PAGE_SIZE]
        next_before = read[-1].last_message_id or None
    decorate_conversations(user=user, conversations=[*unread, *read])
    return ConversationPage(unread=unread, read=read, next_before=next_before)


def decorate_conversations(*, user: Any, conversations: list) -> None:
    """People and last message for each conversation, in two queries for the whole list."""
    private = [c.pk for c in conversations if not c.is_community_chat]
    seats: dict[int, list] = {}
    former: dict[int, list] = {}  # who left: a direct conversation still reads as their name
    if private:
        for seat in (
            Participant.objects.filter(conversation__in=private)
            .select_related("user")
            .order_by("joined_at", "pk")
        ):
            target = seats if seat.left_at is None else former
            target.setdefault(seat.conversation_id, []).append(seat.user)
    last_ids = [c.last_message_id for c in conversations if c.last_message_id]
    last = (
        {m.pk: m for m in Message.objects.filter(pk__in=last_ids).select_related("author")}
        if last_ids
        else {}
    )
    for conversation in conversations:
        everyone = seats.get(conversation.pk, [])
        conversation.everyone = everyone
        conversation.people = [p for p in everyone if p.pk != user.pk]
        conversation.last_message = last.get(conversation.last_message_id)
        named = conversation.people
        if not named and conversation.kind == Conversation.Kind.DIRECT:
            named = [p for p in former.get(conversation.pk, []) if p.pk != user.pk]
        conversation.display_title = display_title(conversation, named)


def display_title(conversation: Conversation, others: list) -> str:
    if conversation.is_community_chat:
        return conversation.community.name
    if conversation.title:
        return conversation.title
    names = [p.name for p in others[:3]]
    if not names:
        return _("Only you")
    if len(others) > 3:
        return _("%(names)s and %(count)s more") % {
            "names": ", ".join(names),
            "count": len(others) - 3,
        }
    return ", ".join(names)


def unread_count(user: Any) -> int:
    """How many direct and group conversations ``user`` has unread messages in (muted ones
    left out): the header's "Messages" count. One query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    return (
        conversations_visible_to(user=user)
        .filter(
            kind__in=permissions.PRIVATE_KINDS,
            participants__user=user.pk,
            participants__left_at__isnull=True,
            participants__is_muted=False,
            last_message_id__gt=F("participants__last_read_id"),
        )
        .count()
    )


# --- One conversation's history -------------------------------------------------------------


@dataclass
class History:
    messages: list  # oldest first
    older: int | None  # ``?before=`` for the page of older messages, if any
    newer: int | None  # ``?after=`` for the page of newer messages, if any


def _messages(conversation: Conversation) -> QuerySet:
    return (
        Message.objects.filter(conversation=conversation.pk)
        .select_related("author", "subject", "reply_to", "reply_to__author")
        .prefetch_related(
            "attachments",
            Prefetch(
                "reactions",
                queryset=MessageReaction.objects.order_by("pk"),
            ),
        )
    )


def history(
    *,
    conversation: Conversation,
    before: int | None = None,
    after: int | None = None,
    at: int | None = None,
    size: int = PAGE_SIZE,
) -> History:
    """A page of ``conversation``'s messages, by id on the (conversation, id) index: the
    newest (default), those before ``before``, those after ``after``, or the ones around
    message ``at`` (a link to one message). Always the same number of queries."""
    qs = _messages(conversation)
    newer = None
    if at is not None:
        keep = max(size // 3, 1)
        head = list(qs.filter(pk__lte=at).order_by("-pk")[: keep + 1])
        has_older = len(head) > keep
        tail = list(qs.filter(pk__gt=at).order_by("pk")[: size + 1])
        if len(tail) > size:
            tail = tail[:size]
            newer = tail[-1].pk
        items = [*reversed(head[:keep]), *tail]
    elif after is not None:
        items = list(qs.filter(pk__gt=after).order_by("pk")[: size + 1])
        if len(items) > size:
            items = items[:size]
            newer = items[-1].pk
        has_older = True  # the page starts after a message the reader already has
    else:
        if before is not None:
            qs = qs.filter(pk__lt=before)
        rows = list(qs.order_by("-pk")[: size + 1])
        has_older = len(rows) > size
        items = list(reversed(rows[:size]))
        if before is not None and items:
            newer = items[-1].pk  # the messages from ``before`` on
    older = items[0].pk if items and has_older else None
    return History(messages=items, older=older, newer=newer)


def pinned_messages(*, conversation: Conversation, limit: int = 5) -> list:
    """A community chat's pinned messages, newest first (the partial index on pins)."""
    if not conversation.is_community_chat:
        return []
    return list(
        Message.objects.filter(
            conversation=conversation.pk, is_pinned=True, deleted_at__isnull=True
        )
        .select_related("author")
        .order_by("-pk")[:limit]
    )


def message_get_for_user(*, user: Any, pk: int) -> Message:
    """One message of a conversation ``user`` may read; ``Http404`` otherwise."""
    message = (
        Message.objects.select_related("conversation", "conversation__community", "author")
        .filter(pk=pk)
        .first()
    )
    if message is None or not permissions.can_view(user, message.conversation):
        raise Http404
    return message


def my_seat(*, user: Any, conversation: Conversation) -> Participant | None:
    return Participant.objects.filter(conversation=conversation.pk, user=user.pk).first()


def decorate_for_page(*, user: Any, conversation: Conversation) -> None:
    """What one conversation's head shows: its people and title, and the reader's muting."""
    decorate_conversations(user=user, conversations=[conversation])
    seat = my_seat(user=user, conversation=conversation)
    conversation.my_muted = bool(seat and seat.is_muted)


def community_chat_for(*, user: Any, community: Any) -> Conversation | None:
    """The chat of ``community`` (None when it has none yet): no policy here, callers ask."""
    return Conversation.objects.filter(community=community).first()


# --- What one viewer may do with what a page shows ------------------------------------------


@dataclass
class ConversationFlags:
    """The policy's answers for one viewer and one conversation, asked once per page (not
    once per message: the per-message rules only add authorship to these)."""

    can_view: bool
    can_write: bool
    can_moderate: bool
    can_add_people: bool
    can_rename: bool
    can_leave: bool
    can_configure: bool


def flags_for(*, user: Any, conversation: Conversation) -> ConversationFlags:
    can_view = permissions.can_view(user, conversation)
    can_write = can_view and permissions.can_write(user, conversation)
    return ConversationFlags(
        can_view=can_view,
        can_write=can_write,
        can_moderate=can_view and permissions.can_moderate(user, conversation),
        can_add_people=can_write and conversation.kind == Conversation.Kind.GROUP,
        can_rename=can_view and permissions.can_rename(user, conversation),
        can_leave=can_view and permissions.can_leave(user, conversation),
        can_configure=bool(
            conversation.is_community_chat
            and permissions.can_configure(user, conversation.community)
        ),
    )


def decorate_messages(*, user: Any, flags: ConversationFlags, messages: list) -> None:
    """Each message gets ``can_edit``, ``can_delete``, ``can_pin`` and ``reaction_list``
    (``[(emoji, count, mine)]`` in the fixed order), from what is already loaded: no query.
    The same answers as ``permissions.can_edit_message`` / ``can_delete_message``, given
    the conversation's flags."""
    for message in messages:
        alive = message.kind == Message.Kind.MESSAGE and message.deleted_at is None
        own = message.author_id == user.pk
        message.can_edit = alive and own and flags.can_write
        message.can_delete = alive and ((own and flags.can_view) or flags.can_moderate)
        message.can_pin = alive and flags.can_moderate
        message.can_react = alive and flags.can_write
        counts: dict[str, list] = {}
        for reaction in message.reactions.all():
            entry = counts.setdefault(reaction.emoji, [0, False])
            entry[0] += 1
            entry[1] = entry[1] or reaction.user_id == user.pk
        message.reaction_list = [(e, *counts[e]) for e in REACTIONS if e in counts]
        message.reactions_offered = REACTIONS


def message_for_viewer(*, user: Any, conversation: Conversation, pk: int) -> Message | None:
    """One message of ``conversation`` decorated for ``user`` (the live layer's payload),
    or None when ``user`` may not read it now."""
    flags = flags_for(user=user, conversation=conversation)
    if not flags.can_view:
        return None
    message = _messages(conversation).filter(pk=pk).first()
    if message is None:
        return None
    decorate_messages(user=user, flags=flags, messages=[message])
    return message
