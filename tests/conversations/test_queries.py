"""Query budgets: the conversation page and the list cost the same number of queries on a
small data set and on one three times larger (and more messages than a page shows)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import services as conv
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BUDGET = 21  # the page marks the conversation read, and its bell notifications with it


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.CONVERSATIONS_RATE_PER_PERSON = 100_000
    settings.CONVERSATIONS_RATE_PER_CONVERSATION = 100_000


def _chatter(conversation, people, count: int) -> None:
    """Messages of every shape: replies, reactions, a file, an edit, a deletion."""
    previous = None
    for i in range(count):
        author = people[i % len(people)]
        files = (
            [SimpleUploadedFile(f"n{i}.pdf", b"%PDF-1.4 x", "application/pdf")]
            if i % 7 == 0
            else []
        )
        message = conv.message_send(
            acting_user=author,
            conversation=conversation,
            body=f"Message {i} @**{people[0].name}**",
            reply_to=previous if i % 3 == 0 else None,
            attachments=files,
        )
        if i % 4 == 0:
            conv.message_react(acting_user=people[-1], message=message, emoji="👍")
        if i % 9 == 0:
            conv.message_update(acting_user=author, message=message, body=f"Edited {i}")
        if i % 11 == 5:
            conv.message_delete(acting_user=author, message=message)
        previous = message


def _measure(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_conversation_page_costs_the_same_with_three_times_the_messages(
    client, member, lead, django_assert_max_num_queries
):
    people = [member, lead, UserFactory(), UserFactory()]
    group = conv.conversation_start(acting_user=member, people=people[1:], title="Crew")
    _chatter(group, people, 12)
    url = group.get_absolute_url()
    client.force_login(member)
    client.get(url)  # the throttled "last seen" write happens on a first request
    conv.message_send(acting_user=lead, conversation=group, body="news")  # the mark moves
    small = _measure(client, url)
    _chatter(group, people, 36)
    conv.message_send(acting_user=lead, conversation=group, body="news")
    with django_assert_max_num_queries(BUDGET):
        large = _measure(client, url)
    assert small == large
    older = client.get(url, {"before": group.last_message_id})
    assert older.status_code == 200


def test_community_chat_page_costs_the_same(client, lead, project, partner):
    member = UserFactory()
    add_member(project, lead, member)
    chat = conv.community_chat_ensure(community=project)
    _chatter(chat, [lead, partner, member], 10)
    conv.message_set_pinned(acting_user=lead, message=chat.messages.last(), pinned=True)
    client.force_login(partner)
    url = chat.get_absolute_url()
    client.get(url)
    conv.message_send(acting_user=lead, conversation=chat, body="news")
    small = _measure(client, url)
    _chatter(chat, [lead, partner, member], 30)
    conv.message_set_pinned(acting_user=lead, message=chat.messages.last(), pinned=True)
    conv.message_send(acting_user=lead, conversation=chat, body="news")
    assert _measure(client, url) == small


def _conversations(owner, project, lead, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        person = UserFactory(display_name=f"Person {i}")
        add_member(project, lead, person)
        if i % 3 == 0:
            chat = conv.conversation_start(acting_user=owner, people=[person])
        else:
            second = UserFactory()
            add_member(project, lead, second)
            chat = conv.conversation_start(
                acting_user=owner, people=[person, second], title="" if i % 2 else f"G{i}"
            )
        author = person if i % 2 else owner  # half unread
        conv.message_send(acting_user=author, conversation=chat, body=f"Hello {i}")
        if i % 5 == 0:
            conv.conversation_set_muted(acting_user=owner, conversation=chat, muted=True)


@pytest.mark.parametrize("who", ["colleague", "guest"])
def test_list_costs_the_same_with_three_times_the_conversations(
    client, lead, project, partner, member, who, django_assert_max_num_queries
):
    owner = partner if who == "guest" else member
    if who == "colleague":
        add_member(project, lead, member)
    chat = conv.community_chat_ensure(community=project)
    conv.message_send(acting_user=lead, conversation=chat, body="Chat")
    _conversations(owner, project, lead, 5)
    client.force_login(owner)
    url = reverse("conversations:list")
    client.get(url)
    small = _measure(client, url)
    _conversations(owner, project, lead, 10, start=5)
    with django_assert_max_num_queries(BUDGET):
        large = _measure(client, url)
    assert small == large
    response = client.get(url)
    assert len(response.context["unread"]) + len(response.context["read"]) == 16


def test_the_header_count_is_one_query(client, member, lead, django_assert_num_queries):
    for _ in range(3):
        chat = conv.conversation_start(acting_user=lead, people=[member, UserFactory()])
        conv.message_send(acting_user=lead, conversation=chat, body="x")
    client.force_login(member)
    url = reverse("conversations:unread")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.context["count"] == 3
    counted = [q for q in captured if "conversations_conversation" in q["sql"]]
    assert len(counted) == 1
