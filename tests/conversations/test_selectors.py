"""Reads: the list (unread first, paged by a key that only grows), one conversation's
history (keyset pages, opened at a message), the unread count."""

from __future__ import annotations

import pytest

from conversations import selectors
from conversations import services as conv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.CONVERSATIONS_RATE_PER_PERSON = 10_000
    settings.CONVERSATIONS_RATE_PER_CONVERSATION = 10_000


def test_list_pages_read_conversations_by_last_message(member, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    chats = []
    for _ in range(5):
        chat = conv.conversation_start(acting_user=member, people=[UserFactory()])
        conv.message_send(acting_user=member, conversation=chat, body="hi")
        chats.append(chat)
    first = selectors.conversation_list_for(user=member)
    assert first.unread == []
    assert first.read == chats[::-1][:3]
    second = selectors.conversation_list_for(user=member, before=first.next_before)
    assert second.read == chats[::-1][3:] and second.next_before is None


def test_unread_first_then_the_rest(member):
    other = UserFactory()
    quiet = conv.conversation_start(acting_user=member, people=[other])
    conv.message_send(acting_user=other, conversation=quiet, body="unread")
    busy = conv.conversation_start(acting_user=member, people=[UserFactory()])
    conv.message_send(acting_user=member, conversation=busy, body="mine, newer")
    page = selectors.conversation_list_for(user=member)
    assert page.unread == [quiet] and page.read == [busy]
    assert page.unread[0].display_title == other.name
    assert page.unread[0].last_message.body == "unread"


def test_history_pages_and_at(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    ids = [
        conv.message_send(acting_user=member, conversation=chat, body=str(i)).pk for i in range(10)
    ]
    newest = selectors.history(conversation=chat, size=4)
    assert [m.pk for m in newest.messages] == ids[-4:] and newest.older == ids[-4]
    assert newest.newer is None
    older = selectors.history(conversation=chat, before=newest.older, size=4)
    assert [m.pk for m in older.messages] == ids[2:6] and older.newer == ids[5]
    oldest = selectors.history(conversation=chat, before=older.older, size=4)
    assert [m.pk for m in oldest.messages] == ids[:2] and oldest.older is None
    at = selectors.history(conversation=chat, at=ids[3], size=3)
    assert [m.pk for m in at.messages] == [ids[3], ids[4], ids[5], ids[6]]
    assert at.older == ids[3] and at.newer == ids[6]
    after = selectors.history(conversation=chat, after=ids[7], size=4)
    assert [m.pk for m in after.messages] == ids[8:] and after.newer is None


def test_a_community_chat_joins_the_list_once_something_is_said(lead, project):
    chat = conv.community_chat_ensure(community=project)
    assert selectors.conversation_list_for(user=lead).read == []
    conv.message_send(acting_user=lead, conversation=chat, body="Welcome")
    page = selectors.conversation_list_for(user=lead)
    assert page.read == [chat] and page.read[0].display_title == project.name
