"""The conversations policy: who reads, writes and may be written to, in both forms."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from communities import permissions as policy
from communities import services as cs
from conversations import permissions
from conversations import services as conv
from conversations.models import Conversation
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def _agree(user, conversation) -> bool:
    """Both forms of the policy give the same answer for ``user`` and ``conversation``."""
    one = permissions.can_view(user, conversation)
    many = permissions.filter_visible(user, Conversation.objects.filter(pk=conversation.pk))
    assert one == many.exists(), (user, conversation.kind)
    return one


def test_direct_conversation_is_open_to_its_two_people_only(member, lead, project):
    outsider = UserFactory()
    chat = conv.conversation_start(acting_user=member, people=[lead])
    assert chat.kind == Conversation.Kind.DIRECT
    assert _agree(member, chat) and _agree(lead, chat)
    assert not _agree(outsider, chat)
    # Started again, from either side: the same conversation.
    assert conv.conversation_start(acting_user=lead, people=[member]).pk == chat.pk


def test_a_guest_writes_only_to_people_she_shares_a_community_with(lead, project, partner):
    stranger = UserFactory()
    assert policy.can(partner, permissions.MESSAGE_PERSON, lead)
    assert not policy.can(partner, permissions.MESSAGE_PERSON, stranger)
    assert not policy.can(stranger, permissions.MESSAGE_PERSON, partner)
    with pytest.raises(PermissionDenied):
        conv.conversation_start(acting_user=partner, people=[stranger])


def test_a_guest_whose_access_ended_reads_nothing_at_once(lead, project):
    guest = GuestFactory()
    membership = add_guest(project, guest)
    chat = conv.conversation_start(acting_user=lead, people=[guest])
    conv.message_send(acting_user=guest, conversation=chat, body="Hello")
    assert _agree(guest, chat)
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    guest.refresh_from_db()
    policy.forget_roles(guest)
    assert not _agree(guest, chat)
    # The lead keeps the history but cannot write into the void.
    assert _agree(lead, chat)
    assert not permissions.can_write(lead, chat)


def test_community_chat_follows_membership(lead, project, member):
    chat = Conversation.objects.create(kind=Conversation.Kind.COMMUNITY, community=project)
    assert _agree(lead, chat)
    assert not _agree(member, chat)
    add_member(project, lead, member)
    policy.forget_roles(member)
    assert _agree(member, chat)
    chat.is_enabled = False
    chat.save()
    assert not _agree(member, chat)


def test_deactivated_people_read_nothing(member, lead, project):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    member.is_active = False
    assert not _agree(member, chat)
