"""When someone's access ends, they leave the conversations the policy no longer opens to them.

The policy already refuses them at once (``conversations.permissions``: a guest's seat holds
only while she shares an active community with another participant; a deactivated account
reads nothing), so the HTTP routes answer 404 the moment the row is written. This module
makes it visible and final:

- every open seat the policy now refuses gets ``left_at`` and a ``left`` system message in
  its conversation (the others keep the history and see who left);
- the person's own topic hears ``access.changed``, which closes their open sockets within a
  second (``portal/core/consumers.py``, code 4403); their browser reconnects and every
  subscription is authorized again.

It runs on three occasions, registered from ``ConversationsConfig.ready()``: a membership
ends (the floor's membership-ended hook: left, removed, ended, expired, erased), an account
is deactivated (in the Wagtail admin: a save with ``is_active`` off), and an erasure (which
deactivates, then ends every membership). Seats of *other* people may fall too: a guest whose
only shared community with the conversation was through this person loses it as well.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from communities import extensions
from conversations import permissions
from conversations.models import Conversation, Message, Participant
from conversations.services import conversation_topic, user_topic
from portal.core import live


@transaction.atomic
def seats_close_refused(*, user: Any) -> list[Participant]:
    """Close the seats the policy now refuses in every direct or group conversation ``user``
    sits in (theirs and those of the others there), each with a ``left`` message, and tell
    ``user`` (and everyone who lost a seat) that their access changed. Running it twice
    changes nothing more. Returns the seats closed."""
    conversation_ids = list(
        Participant.objects.filter(
            user=user.pk,
            left_at__isnull=True,
            conversation__kind__in=permissions.PRIVATE_KINDS,
        ).values_list("conversation", flat=True)
    )
    seats = (
        Participant.objects.filter(conversation__in=conversation_ids, left_at__isnull=True)
        .select_related("conversation", "user")
        .order_by("conversation", "pk")
    )
    now = timezone.now()
    closed: list[Participant] = []
    for seat in seats:
        if permissions.can_view(seat.user, seat.conversation):
            continue
        # Guarded by left_at: two hooks running at once write one "left" message.
        if not Participant.objects.filter(pk=seat.pk, left_at__isnull=True).update(left_at=now):
            continue
        seat.left_at = now
        message = Message.objects.create(
            conversation=seat.conversation,
            author=seat.user,
            subject=seat.user,
            kind=Message.Kind.LEFT,
            created_at=now,
        )
        # Moved up like any message (catch-up reads up to last_message_id).
        Conversation.objects.filter(pk=seat.conversation_id).update(
            last_message_at=message.created_at, last_message_id=message.pk
        )
        closed.append(seat)
        topic = conversation_topic(seat.conversation_id)
        live.publish(topic, "message.new", {"id": message.pk})
        live.publish(topic, "conversation.changed", {"left": seat.user_id})
    for person_id in {user.pk, *(seat.user_id for seat in closed)}:
        live.publish(user_topic(person_id), "access.changed", {})
    return closed


def on_membership_ended(ended: extensions.MembershipEnded) -> None:
    """The floor's membership-ended hook (inside its transaction: the row is written and the
    policy refuses the person already)."""
    seats_close_refused(user=ended.membership.user)


def on_user_saved(sender: Any, instance: Any, created: bool, update_fields=None, **kwargs) -> None:
    """An account saved inactive (deactivated in the admin, or erased): it reads nothing
    any more, so it leaves every conversation and its sockets close."""
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    seats_close_refused(user=instance)


def register() -> None:
    extensions.register_membership_ended_hook(on_membership_ended)
    post_save.connect(
        on_user_saved, sender=get_user_model(), dispatch_uid="conversations.revocation"
    )
