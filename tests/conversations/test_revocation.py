"""When access ends, seats the policy refuses close, with a "left" message, and the people
concerned hear ``access.changed`` (which closes their sockets: tests/portal/test_consumers.py)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from communities import services as cs
from communities.models import Membership
from conversations import revocation
from conversations import services as conv
from conversations.models import Message, Participant
from portal.core import live
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


class Listener:
    """A channel in the live groups of some topics, as a socket's consumer would be."""

    def __init__(self, *topics: str) -> None:
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        for topic in topics:
            async_to_sync(self.layer.group_add)(live.group_for(topic), self.channel)

    def events(self) -> list[tuple[str, str]]:
        async def drain():
            got = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.2)
                except TimeoutError:
                    return got
                got.append((message["topic"], message["event"]))

        return async_to_sync(drain)()


def left_messages(conversation) -> list:
    return list(
        Message.objects.filter(conversation=conversation, kind=Message.Kind.LEFT).values_list(
            "subject", flat=True
        )
    )


def test_a_guest_whose_access_ends_leaves_and_her_sockets_hear_it(
    lead, project, django_capture_on_commit_callbacks
):
    guest = GuestFactory()
    membership = add_guest(project, guest)
    direct = conv.conversation_start(acting_user=lead, people=[guest])
    listener = Listener(f"user:{guest.pk}", f"user:{lead.pk}", f"conversation:{direct.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    assert Participant.objects.get(conversation=direct, user=guest).left_at is not None
    assert Participant.objects.get(conversation=direct, user=lead).left_at is None
    assert left_messages(direct) == [guest.pk]
    direct.refresh_from_db()
    assert direct.last_message_id == Message.objects.get(conversation=direct, kind="left").pk
    events = listener.events()
    assert (f"user:{guest.pk}", "access.changed") in events
    assert (f"user:{lead.pk}", "access.changed") not in events
    assert (f"conversation:{direct.pk}", "message.new") in events
    assert (f"conversation:{direct.pk}", "conversation.changed") in events


def test_a_guest_still_sharing_a_community_keeps_her_seat(lead, project):
    guest = GuestFactory()
    membership = add_guest(project, guest)
    other = cs.community_create(acting_user=lead, name="Second project", kind="project")
    add_guest(other, guest)
    direct = conv.conversation_start(acting_user=lead, people=[guest])
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    assert Participant.objects.get(conversation=direct, user=guest).left_at is None
    assert left_messages(direct) == []


def test_a_guest_loses_a_conversation_when_her_only_link_leaves_the_community(
    lead, project, member, django_capture_on_commit_callbacks
):
    add_member(project, lead, member)
    guest = GuestFactory()
    add_guest(project, guest)
    direct = conv.conversation_start(acting_user=member, people=[guest])
    listener = Listener(f"user:{guest.pk}", f"user:{member.pk}")
    membership = Membership.objects.get(user=member, community=project)
    with django_capture_on_commit_callbacks(execute=True):
        cs.membership_remove(acting_user=lead, membership=membership)
    # The member keeps the history; the guest shares no community with him any more.
    assert Participant.objects.get(conversation=direct, user=member).left_at is None
    assert Participant.objects.get(conversation=direct, user=guest).left_at is not None
    assert left_messages(direct) == [guest.pk]
    assert set(listener.events()) >= {
        (f"user:{guest.pk}", "access.changed"),
        (f"user:{member.pk}", "access.changed"),
    }


def test_deactivation_closes_every_seat(lead, member, django_capture_on_commit_callbacks):
    third = UserFactory()
    group = conv.conversation_start(acting_user=lead, people=[member, third])
    direct = conv.conversation_start(acting_user=member, people=[lead])
    listener = Listener(f"user:{member.pk}")
    member.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        member.save(update_fields=["is_active"])
    for conversation in (group, direct):
        assert Participant.objects.get(conversation=conversation, user=member).left_at
        assert left_messages(conversation) == [member.pk]
    assert (f"user:{member.pk}", "access.changed") in listener.events()
    # Other saves of the inactive account change nothing more.
    member.save()
    revocation.seats_close_refused(user=member)
    assert left_messages(group) == [member.pk]


def test_saving_an_active_account_closes_nothing(lead, member):
    direct = conv.conversation_start(acting_user=member, people=[lead])
    member.display_name = "Camille M."
    member.save()
    assert revocation.seats_close_refused(user=member) == []
    assert Participant.objects.filter(conversation=direct, left_at__isnull=False).count() == 0
