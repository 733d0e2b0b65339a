"""Writes in conversations: start one, send, and (issue 18's helpers) the rest.

Every write checks the policy (``conversations.permissions``), stores first, and publishes
its live event on commit (``portal.core.live.publish``): a message is never broadcast before
it is stored, and a client that missed the broadcast catches up by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import markup
from communities import permissions as policy
from conversations import permissions
from conversations.models import MAX_PARTICIPANTS, Conversation, Message, Participant
from portal.core import live

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
) -> Message:
    """Store a message, move the conversation up the lists, mark it read for its author,
    and announce it on commit."""
    _require(acting_user, permissions.WRITE, conversation)
    body = _clean_body(body)
    client_token = client_token[:64]
    if client_token:
        earlier = Message.objects.filter(author=acting_user, client_token=client_token).first()
        if earlier is not None:
            return earlier  # the same message sent twice
    if reply_to is not None and reply_to.conversation_id != conversation.pk:
        raise ValidationError(_("This reply belongs to another conversation."))
    html, mentioned = _render(author=acting_user, conversation=conversation, body=body)
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
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, last_message_id=message.pk
    )
    conversation.last_message_at, conversation.last_message_id = message.created_at, message.pk
    Participant.objects.update_or_create(
        conversation=conversation,
        user=acting_user,
        defaults={"last_read_id": message.pk, "notified_id": message.pk},
        create_defaults={"last_read_id": message.pk, "notified_id": message.pk},
    )
    live.publish(conversation_topic(conversation), "message.new", {"id": message.pk})
    return message
