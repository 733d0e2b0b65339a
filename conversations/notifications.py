"""What happens when nobody is looking at a conversation.

A direct or group message, or a mention in a community chat, still unread
``CONVERSATIONS_NOTIFY_AFTER_MINUTES`` after it was sent (``…_NOTIFY_PUSH_AFTER_MINUTES``
for people who chose push for it: a phone is told sooner than a mailbox) becomes a floor
notification (the bell lists it and links to the first unread message) told by the channel
the floor's ``notify()`` decides for it (the person's choice for "a direct message" or "a
mention", else their digest frequency): an e-mail at once that they may answer by e-mail
(the answer becomes their message in the conversation, ``conversations.inbound``), a push,
or a line under "For you" in their next digest (:func:`digest_lines`).

The invariants a reader must not break:

- each message notifies a person at most once: ``Participant.notified_id`` moves past every
  message considered, whether it notified or not (muted, no longer readable), in the same
  transaction that writes the notification, on seats locked with ``SKIP LOCKED`` so that two
  runs never take the same seat;
- a message already read (``last_read_id``), muted conversations, one's own messages and
  system messages never notify; the policy is asked when the notification is written, so a
  guest whose access ended gets nothing;
- the work is done in bulk: a fixed number of queries per run plus a few per person
  notified (their preferences, what they may read), never one per message.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from communities.markup import excerpt
from communities.models import Channel, Community, Notification, NotificationChoice
from communities.notifications import (
    list_unsubscribe_headers,
    notify,
    unsubscribe_url,
)
from communities.replies import kind_reply_address
from conversations import permissions
from conversations.app_settings import app_settings
from conversations.models import Conversation, Message, Participant
from portal.core.mail import send_templated_email

logger = logging.getLogger(__name__)

KIND_MESSAGE = "conversation.message"
KIND_MENTION = "conversation.mention"
# Registered with the floor from ConversationsConfig.ready(); each completes "<actor> …".
NOTIFICATION_KINDS = {
    KIND_MESSAGE: gettext_lazy("sent you a message"),
    KIND_MENTION: gettext_lazy("mentioned you in a conversation"),
}
NOTIFICATION_TOPICS = {KIND_MESSAGE: "message", KIND_MENTION: "mention"}
KINDS = tuple(NOTIFICATION_KINDS)
# The kind of reply address (communities.replies.kind_reply_address) whose replies become
# messages in a conversation.
REPLY_KIND = "chat"
EMAIL_MESSAGES = 5  # the latest unread messages quoted in an e-mail


@dataclass
class Decision:
    seat: Participant
    last: Message
    notification: Notification | None = None  # its channel says how the person is told


@dataclass
class RunResult:
    seats: int = 0  # seats considered (notified_id moved)
    notified: int = 0
    emailed: int = 0
    decisions: list[Decision] = field(default_factory=list, repr=False)


# --- Finding what is due ----------------------------------------------------------------------


def _window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """(since, cutoff): messages sent in between are due, if still unread."""
    cutoff = now - datetime.timedelta(minutes=app_settings.NOTIFY_AFTER_MINUTES)
    since = now - datetime.timedelta(hours=app_settings.NOTIFY_LOOKBACK_HOURS)
    return since, cutoff


def _push_cutoff(now: datetime.datetime) -> datetime.datetime:
    """Messages sent before this are due for people who chose push (never later than the
    e-mail cutoff)."""
    minutes = min(app_settings.NOTIFY_PUSH_AFTER_MINUTES, app_settings.NOTIFY_AFTER_MINUTES)
    return now - datetime.timedelta(minutes=minutes)


def _pushes(user: Any, topics: tuple[str, ...]) -> Exists:
    """Whether the person of ``user`` (an outer reference) chose push for one of ``topics``."""
    return Exists(
        NotificationChoice.objects.filter(user=user, topic__in=topics, channel=Channel.PUSH)
    )


def _sent_before(
    field_name: str, cutoff: datetime.datetime, push_cutoff: datetime.datetime, pushes: Exists
) -> Q:
    """Sent before the cutoff, or before the earlier push cutoff for people who push it."""
    return Q(**{f"{field_name}__lte": cutoff}) | (
        Q(**{f"{field_name}__lte": push_cutoff}) & Q(pushes)
    )


# A direct or group message is told by the channel of "a direct message" (or "a mention"
# when it mentions the person); a community chat notifies of mentions only.
PRIVATE_TOPICS = ("message", "mention")
CHAT_TOPICS = ("mention",)


def _due(
    since: datetime.datetime,
    cutoff: datetime.datetime,
    push_cutoff: datetime.datetime,
    topics: tuple[str, ...],
) -> QuerySet[Message]:
    """The messages due for the seat of the outer query (``threshold`` annotated): others'
    ordinary messages, not deleted, sent in the window (a shorter one for people who push
    ``topics``), after what the seat read or was already notified of. Reads the
    (conversation, id) index."""
    return (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            kind=Message.Kind.MESSAGE,
            deleted_at__isnull=True,
            created_at__gte=since,
            id__gt=OuterRef("threshold"),
        )
        .filter(
            _sent_before(
                "created_at", cutoff, push_cutoff, _pushes(OuterRef(OuterRef("user")), topics)
            )
        )
        .exclude(author=OuterRef("user"))
    )


def _ensure_chat_seats(now: datetime.datetime) -> None:
    """A person mentioned in a community chat they never opened has no seat yet: give them
    one (it keeps ``notified_id``; nothing is read), so that the run below sees them."""
    through = Message.mentions.through
    seat = Participant.objects.filter(
        conversation=OuterRef("message__conversation"), user=OuterRef("user")
    )
    since, cutoff = _window(now)
    push_cutoff = _push_cutoff(now)
    pairs = set(
        through.objects.filter(
            _sent_before(
                "message__created_at", cutoff, push_cutoff, _pushes(OuterRef("user"), CHAT_TOPICS)
            ),
            message__conversation__kind=Conversation.Kind.COMMUNITY,
            message__kind=Message.Kind.MESSAGE,
            message__deleted_at__isnull=True,
            message__created_at__gte=since,
        )
        .exclude(Exists(seat))
        .values_list("message__conversation_id", "user_id")[: app_settings.NOTIFY_BATCH]
    )
    if pairs:
        Participant.objects.bulk_create(
            [Participant(conversation_id=c, user_id=u) for c, u in pairs], ignore_conflicts=True
        )


def _due_seats(now: datetime.datetime) -> list[Participant]:
    """The seats with something due, locked (others' runs skip them), each annotated with
    ``first_due``, ``last_due``, ``due_count`` and ``mentioned``. Two queries: direct and
    group conversations (every message), community chats (mentions only)."""
    since, cutoff = _window(now)
    push_cutoff = _push_cutoff(now)
    found: list[Participant] = []
    for chats in (False, True):
        due = _due(since, cutoff, push_cutoff, CHAT_TOPICS if chats else PRIVATE_TOPICS)
        if chats:
            due = due.filter(mentions=OuterRef("user"))
        seats = (
            Participant.objects.filter(
                left_at__isnull=True,
                user__is_active=True,
                conversation__last_message_at__gte=since,
            )
            .filter(
                Q(conversation__kind=Conversation.Kind.COMMUNITY)
                if chats
                else Q(conversation__kind__in=permissions.PRIVATE_KINDS)
            )
            .annotate(threshold=Greatest("notified_id", "last_read_id"))
            .filter(conversation__last_message_id__gt=F("threshold"))
            .annotate(
                first_due=Subquery(due.order_by("id").values("id")[:1]),
                last_due=Subquery(due.order_by("-id").values("id")[:1]),
                due_count=Subquery(
                    due.order_by().values("conversation").annotate(n=Count("id")).values("n")[:1]
                ),
                mentioned=Exists(due.filter(mentions=OuterRef("user"))),
            )
            .filter(last_due__isnull=False)
            .select_related("user", "conversation__community")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        found.extend(seats[: app_settings.NOTIFY_BATCH - len(found)])
        if len(found) >= app_settings.NOTIFY_BATCH:
            break
    return found


# --- The run ----------------------------------------------------------------------------------


def notifications_send_due(*, now: datetime.datetime | None = None) -> RunResult:
    """Turn what is due into notifications and e-mails (beat, every minute:
    ``conversations.tasks.notify_unread``). Safe to run twice at once or again after a crash:
    a seat is moved past its messages in the transaction that notifies, and e-mailed once."""
    now = now or timezone.now()
    result = RunResult()
    with transaction.atomic():
        _ensure_chat_seats(now)
        seats = _due_seats(now)
        if not seats:
            return result
        result.seats = len(seats)
        last = Message.objects.select_related("author").in_bulk([s.last_due for s in seats])
        by_user: dict[int, list[Participant]] = defaultdict(list)
        for seat in seats:
            by_user[seat.user_id].append(seat)
        for user_seats in by_user.values():
            result.decisions.extend(_decide(user_seats, last))
        for decision in result.decisions:
            result.notified += _notify(decision)
        for seat in seats:
            seat.notified_id = Greatest(F("notified_id"), Value(seat.last_due))
        Participant.objects.bulk_update(seats, ["notified_id"])
    immediate = [
        d
        for d in result.decisions
        if d.notification is not None and d.notification.channel == Channel.EMAIL
    ]
    if immediate:
        result.emailed = _send_emails(immediate)
    return result


def _decide(seats: list[Participant], last: dict[int, Message]) -> list[Decision]:
    """Which of one person's due seats notify: not muted, and a conversation the policy lets
    them read now (one query for all of them). How each is told, ``notify()`` decides."""
    user = seats[0].user
    wanted = [s for s in seats if not s.is_muted]
    if not wanted:
        return []
    readable = set(
        permissions.filter_visible(
            user, Conversation.objects.filter(pk__in=[s.conversation_id for s in wanted])
        ).values_list("pk", flat=True)
    )
    return [
        Decision(seat=seat, last=last[seat.last_due])
        for seat in wanted
        if seat.conversation_id in readable
    ]


def message_url(conversation_id: int, message_id: int) -> str:
    """The conversation opened at a message (``Message.get_absolute_url`` without a row)."""
    return Message(pk=message_id, conversation_id=conversation_id).get_absolute_url()


def _notify(decision: Decision) -> int:
    seat = decision.seat
    created = notify(
        users=[seat.user],
        kind=KIND_MENTION if seat.mentioned else KIND_MESSAGE,
        actor=decision.last.author,
        title=excerpt(decision.last.body, 200),
        url=message_url(seat.conversation_id, seat.first_due),
        community=seat.conversation.community,
        send_email=False,  # e-mailed below, quoting the messages (_send_emails)
    )
    decision.notification = created[0] if created else None
    return len(created)


# --- E-mail -----------------------------------------------------------------------------------


def conversation_name(conversation: Conversation, user: Any) -> str:
    """What the conversation is called for ``user``: its community, its title, or the
    other people's names."""
    if conversation.is_community_chat:
        return conversation.community.name
    if conversation.title:
        return conversation.title
    others = (
        Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=user.pk)
        .select_related("user")
        .order_by("pk")[:4]
    )
    return ", ".join(seat.user.name for seat in others)


def _send_emails(decisions: Iterable[Decision]) -> int:
    """One e-mail per ``email`` notification, over one connection,
    each marked ``emailed_at`` (so a digest does not repeat it). A failure is logged: the
    notification stays under the bell."""
    sent = 0
    connection = get_connection()
    try:
        for decision in decisions:
            notification = decision.notification
            if notification is None:
                continue
            try:
                _send_email(decision, connection)
            except Exception:
                logger.exception("conversation e-mail to %s failed", decision.seat.user_id)
                continue
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    finally:
        connection.close()
    return sent


def _send_email(decision: Decision, connection: Any) -> None:
    seat, user = decision.seat, decision.seat.user
    conversation = seat.conversation
    messages = list(
        Message.objects.filter(
            conversation=conversation,
            kind=Message.Kind.MESSAGE,
            deleted_at__isnull=True,
            id__gte=seat.first_due,
            id__lte=seat.last_due,
        )
        .exclude(author=user.pk)
        .select_related("author")
        .order_by("-id")[:EMAIL_MESSAGES]
    )
    messages.reverse()
    reply_to = ""
    if permissions.can_write(user, conversation):
        reply_to = kind_reply_address(kind=REPLY_KIND, user=user, object_id=conversation.pk)
    unsubscribe = unsubscribe_url(user, conversation.community)
    headers = list_unsubscribe_headers(unsubscribe)
    if reply_to:
        headers["Reply-To"] = reply_to
    send_templated_email(
        "conversations/email/notification",
        to=[user],
        context={
            "mentioned": seat.mentioned,
            "actor_name": decision.last.author.name if decision.last.author else "",
            "conversation_name": conversation_name(conversation, user),
            "is_direct": conversation.kind == Conversation.Kind.DIRECT,
            "messages": [
                {
                    "author": m.author.name if m.author else "",
                    "text": excerpt(m.body, 600),
                    "created_at": m.created_at,
                }
                for m in messages
            ],
            "more": max(0, (seat.due_count or 0) - len(messages)),
            "url": message_url(conversation.pk, seat.first_due),
            "can_reply": bool(reply_to),
            "unsubscribe_url": unsubscribe,
        },
        headers=headers,
        connection=connection,
    )


# --- Read marks and digests ----------------------------------------------------------------


def _detail_prefix(conversation_id: int) -> str:
    return reverse("conversations:detail", args=[conversation_id]) + "?"


def conversation_notifications_read(*, user: Any, conversation_id: int) -> int:
    """The person read the conversation: its notifications under the bell are read too.
    For the read-mark service (``conversations.services``) to call."""
    return Notification.objects.filter(
        user=user.pk,
        kind__in=KINDS,
        read_at__isnull=True,
        url__startswith=_detail_prefix(conversation_id),
    ).update(read_at=timezone.now())


_AT = re.compile(r"[?&]at=([0-9]+)")


def _conversations_of(notifications: Iterable[Notification]) -> dict[int, int]:
    """{notification id: conversation id} for conversation notifications (their link names
    the message they open at), in one query."""
    at = {n.pk: int(m.group(1)) for n in notifications if (m := _AT.search(n.url))}
    conversation_of = dict(
        Message.objects.filter(pk__in=set(at.values())).values_list("pk", "conversation_id")
    )
    return {pk: conversation_of[m] for pk, m in at.items() if m in conversation_of}


def notifications_forget_unreadable(*, user: Any) -> int:
    """Remove the person's conversation notifications about conversations they may no longer
    read (their access ended, they left): a notification without a community stays under
    the floor's bell otherwise. For the revocation hooks to call; three queries."""
    rows = list(Notification.objects.filter(user=user.pk, kind__in=KINDS).only("pk", "url"))
    if not rows:
        return 0
    conversation_of = _conversations_of(rows)
    readable = set(
        permissions.filter_visible(
            user, Conversation.objects.filter(pk__in=set(conversation_of.values()))
        ).values_list("pk", flat=True)
    )
    gone = [n.pk for n in rows if conversation_of.get(n.pk) not in readable]
    return Notification.objects.filter(pk__in=gone).delete()[0] if gone else 0


def digest_lines(
    user: Any,
    communities: list[Community],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> list[Any]:
    """The digest's personal provider (``communities.digests.register_personal_provider``):
    one line per conversation notification of the period told by the digest (or written
    before channels existed), unread and not e-mailed, whose conversation the person may
    still read and has not read since. Four queries."""
    from communities.digests import Item

    rows = list(
        Notification.objects.filter(
            Q(community__isnull=True) | Q(community__in=[c.pk for c in communities]),
            Q(channel=Channel.DIGEST) | Q(channel=""),
            user=user.pk,
            kind__in=KINDS,
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gte=starts_at,
            created_at__lt=ends_at,
        )
        .select_related("actor")
        .order_by("-id")[:20]
    )
    conversation_of = _conversations_of(rows)
    if not conversation_of:
        return []
    readable = set(
        permissions.filter_visible(
            user, Conversation.objects.filter(pk__in=set(conversation_of.values()))
        ).values_list("pk", flat=True)
    )
    read_up_to = dict(
        Participant.objects.filter(user=user.pk, conversation__in=readable).values_list(
            "conversation_id", "last_read_id"
        )
    )
    lines = []
    for notification in rows:
        conversation_id = conversation_of.get(notification.pk)
        message_id = int(_AT.search(notification.url).group(1)) if conversation_id else 0
        if conversation_id not in readable or read_up_to.get(conversation_id, 0) >= message_id:
            continue
        actor = notification.actor.name if notification.actor else ""
        lines.append(
            Item(
                title=notification.title,
                url=notification.url,
                detail=f"{actor} {notification.get_kind_display()}".strip(),
            )
        )
    return lines
