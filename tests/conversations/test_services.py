"""The conversation services: what each write changes, and what it refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from communities import permissions as policy
from communities import services as cs
from conversations import selectors
from conversations import services as conv
from conversations.models import MAX_PARTICIPANTS, Conversation, Message, Participant
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_rate_limit_per_person_and_per_conversation(member, lead, settings):
    settings.CONVERSATIONS_RATE_PER_PERSON = 2
    settings.CONVERSATIONS_RATE_PER_CONVERSATION = 3
    chat = conv.conversation_start(acting_user=member, people=[lead])
    conv.message_send(acting_user=member, conversation=chat, body="1")
    conv.message_send(acting_user=member, conversation=chat, body="2")
    with pytest.raises(ValidationError) as refused:
        conv.message_send(acting_user=member, conversation=chat, body="3")
    assert refused.value.code == "rate_person"
    conv.message_send(acting_user=lead, conversation=chat, body="3")
    with pytest.raises(ValidationError) as busy:
        conv.message_send(acting_user=lead, conversation=chat, body="4")
    assert busy.value.code == "rate_conversation"
    assert Message.objects.filter(conversation=chat).count() == 3


def test_a_message_sent_twice_is_one_message(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    one = conv.message_send(acting_user=member, conversation=chat, body="x", client_token="t1")
    two = conv.message_send(acting_user=member, conversation=chat, body="x", client_token="t1")
    assert one.pk == two.pk


def test_files_alone_make_a_message(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf")
    message = conv.message_send(
        acting_user=member, conversation=chat, body="", attachments=[upload]
    )
    item = message.attachments.get()
    assert item.name == "plan.pdf" and "plan" not in item.file.name  # a random storage key
    with pytest.raises(ValidationError):
        conv.message_send(acting_user=member, conversation=chat, body="  ")


def test_edit_and_delete_own_only(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    message = conv.message_send(acting_user=member, conversation=chat, body="Draft")
    with pytest.raises(PermissionDenied):
        conv.message_update(acting_user=lead, message=message, body="Mine now")
    with pytest.raises(PermissionDenied):
        conv.message_delete(acting_user=lead, message=message)
    conv.message_update(acting_user=member, message=message, body="Final")
    assert message.body == "Final" and message.edited_at
    conv.message_react(acting_user=lead, message=message, emoji="👍")
    conv.message_delete(acting_user=member, message=message)
    message.refresh_from_db()
    assert message.deleted_at and not message.body and not message.reactions.exists()
    with pytest.raises(PermissionDenied):  # gone: no second delete, no edit
        conv.message_update(acting_user=member, message=message, body="Back")


def test_reactions_are_the_fixed_set_and_toggle(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    message = conv.message_send(acting_user=member, conversation=chat, body="Hi")
    assert conv.message_react(acting_user=lead, message=message, emoji="🎉") is True
    assert conv.message_react(acting_user=lead, message=message, emoji="🎉") is False
    with pytest.raises(ValidationError):
        conv.message_react(acting_user=lead, message=message, emoji="🤡")
    with pytest.raises(PermissionDenied):
        conv.message_react(acting_user=UserFactory(), message=message, emoji="🎉")


def test_group_people_add_leave_rename(member, lead):
    third, fourth = UserFactory(), UserFactory()
    group = conv.conversation_start(acting_user=member, people=[lead, third])
    assert group.kind == Conversation.Kind.GROUP
    added = conv.conversation_add_people(acting_user=lead, conversation=group, people=[fourth])
    assert added == [fourth]
    with pytest.raises(ValidationError):  # already there
        conv.conversation_add_people(acting_user=lead, conversation=group, people=[fourth])
    conv.conversation_rename(acting_user=third, conversation=group, title="  Crew  ")
    assert group.title == "Crew"
    conv.conversation_leave(acting_user=third, conversation=group)
    assert not policy.can(third, "conversations.view_conversation", group)
    kinds = list(
        Message.objects.filter(conversation=group).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["added", "renamed", "left"]
    # a direct conversation takes nobody else, and is not renamed
    direct = conv.conversation_start(acting_user=member, people=[lead])
    with pytest.raises(PermissionDenied):
        conv.conversation_add_people(acting_user=member, conversation=direct, people=[third])
    with pytest.raises(PermissionDenied):
        conv.conversation_rename(acting_user=member, conversation=direct, title="Us")


def test_at_most_fifty_people(member):
    people = UserFactory.create_batch(MAX_PARTICIPANTS)
    with pytest.raises(ValidationError):
        conv.conversation_start(acting_user=member, people=people)
    group = conv.conversation_start(acting_user=member, people=people[:48])
    conv.conversation_add_people(acting_user=member, conversation=group, people=[people[48]])
    with pytest.raises(ValidationError):
        conv.conversation_add_people(acting_user=member, conversation=group, people=[people[49]])


def test_nobody_adds_people_they_may_not_write_to(member, lead, project, partner):
    group = conv.conversation_start(acting_user=lead, people=[member, partner])
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):  # the guest may not see this colleague
        conv.conversation_add_people(acting_user=partner, conversation=group, people=[stranger])


def test_read_mark_moves_forward_only_and_the_count_follows(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    first = conv.message_send(acting_user=member, conversation=chat, body="1")
    conv.message_send(acting_user=member, conversation=chat, body="2")
    assert selectors.unread_count(lead) == 1
    assert conv.conversation_mark_read(acting_user=lead, conversation=chat)
    assert not conv.conversation_mark_read(acting_user=lead, conversation=chat, up_to=first.pk)
    seat = Participant.objects.get(conversation=chat, user=lead)
    assert seat.last_read_id == chat.last_message_id
    assert selectors.unread_count(lead) == 0
    # muted conversations are not counted
    conv.message_send(acting_user=member, conversation=chat, body="3")
    conv.conversation_set_muted(acting_user=lead, conversation=chat, muted=True)
    assert selectors.unread_count(lead) == 0
    with pytest.raises(PermissionDenied):
        conv.conversation_mark_read(acting_user=UserFactory(), conversation=chat)


def test_community_chats_default_and_switch(lead, project, member):
    theme = cs.community_create(acting_user=lead, name="Ideas", visibility="open", kind="theme")
    assert conv.community_chat_ensure(community=project).is_enabled
    assert not conv.community_chat_ensure(community=theme).is_enabled
    assert conv.community_chat_ensure(community=project).pk == project.chat.pk  # one per community
    add_member(project, lead, member)
    policy.forget_roles(member)
    with pytest.raises(PermissionDenied):
        conv.community_chat_set_enabled(acting_user=member, community=project, enabled=False)
    chat = conv.community_chat_set_enabled(acting_user=lead, community=project, enabled=False)
    assert not chat.is_enabled
    assert not policy.can(member, "conversations.view_conversation", chat)


def test_leads_pin_and_delete_in_their_chat(lead, project, partner, member):
    add_member(project, lead, member)
    policy.forget_roles(member)
    chat = conv.community_chat_ensure(community=project)
    message = conv.message_send(acting_user=partner, conversation=chat, body="From a guest")
    with pytest.raises(PermissionDenied):
        conv.message_set_pinned(acting_user=member, message=message, pinned=True)
    conv.message_set_pinned(acting_user=lead, message=message, pinned=True)
    assert selectors.pinned_messages(conversation=chat) == [message]
    conv.message_delete(acting_user=lead, message=message)
    assert selectors.pinned_messages(conversation=chat) == []


def test_an_archived_communitys_chat_is_read_only(lead, project, member):
    add_member(project, lead, member)
    chat = conv.community_chat_ensure(community=project)
    conv.message_send(acting_user=member, conversation=chat, body="Before")
    cs.community_archive(acting_user=lead, community=project)
    policy.forget_roles(member)
    chat.refresh_from_db()
    with pytest.raises(PermissionDenied):
        conv.message_send(acting_user=member, conversation=chat, body="After")
