"""The demo's conversations (portal/demo.py): Camille and Julie's direct conversation with a
mention, the launch team's group, the Lakeside Trails chat; seeding again changes nothing."""

from __future__ import annotations

import pytest

from conversations import permissions, selectors
from conversations.models import Conversation, Message
from portal import demo

pytestmark = pytest.mark.django_db


def test_demo_conversations(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logins = demo.seed()
    assert [login.email for login in logins] == [login.email for login in demo.LOGINS]
    camille = demo.User.objects.get(email=demo.CAMILLE)
    julie = demo.User.objects.get(email=demo.JULIE)

    direct = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
    assert set(direct.participants.values_list("user__email", flat=True)) == {
        demo.CAMILLE,
        demo.JULIE,
    }
    mention = Message.objects.get(conversation=direct, mentions=julie)
    assert 'href="/people/' in mention.body_html
    group = Conversation.objects.get(kind=Conversation.Kind.GROUP, title=demo.GROUP_TITLE)
    assert group.messages.count() == len(demo.GROUP_MESSAGES)
    assert not permissions.can_view(julie, group)  # the staff's group is not hers
    chat = Conversation.objects.get(community__slug="lakeside-trails")
    assert chat.is_enabled and chat.messages.count() == len(demo.CHAT_MESSAGES)
    assert permissions.can_view(julie, chat)

    # Julie wrote last everywhere she is: nothing unread for her; Camille has her answer.
    assert selectors.unread_count(julie) == 0
    assert selectors.unread_count(camille) >= 1

    messages = Message.objects.count()
    demo.seed()
    assert Message.objects.count() == messages
    assert Conversation.objects.count() == 3
