"""The ``conversation:<id>`` topic's server side: who may subscribe, what each recipient
receives at delivery (the policy asked then), what a reconnecting client catches up on, and
the events the services publish on commit."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from communities import permissions as policy
from communities import services as cs
from conversations import live as conversation_live
from conversations import services as conv
from portal.core import live
from tests.communities.conftest import add_guest
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_topic_is_registered():
    assert "conversation" in live.registered_kinds()
    assert live.parse_topic("conversation:12") == ("conversation", "12")


def test_only_readers_may_subscribe(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    assert conversation_live.authorize(member, str(chat.pk))
    assert conversation_live.authorize(lead, str(chat.pk))
    assert not conversation_live.authorize(UserFactory(), str(chat.pk))
    # a forged or missing id gets nothing, and says nothing
    assert not conversation_live.authorize(member, str(chat.pk + 1000))
    assert not conversation_live.authorize(member, "abc")
    assert not conversation_live.authorize(member, "0")


def test_deliver_renders_the_message_for_each_recipient(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    message = conv.message_send(acting_user=member, conversation=chat, body="Hi **there**")
    mine = conversation_live.deliver(member, str(chat.pk), "message.new", {"id": message.pk})
    theirs = conversation_live.deliver(lead, str(chat.pk), "message.new", {"id": message.pk})
    assert mine["id"] == theirs["id"] == message.pk
    assert f'id="message-{message.pk}"' in mine["html"] and "<strong>there</strong>" in mine["html"]
    assert "is-mine" in mine["html"] and "is-mine" not in theirs["html"]
    edit = f"/messages/message/{message.pk}/edit/"
    assert edit in mine["html"] and edit not in theirs["html"]
    # an outsider, an id of another conversation, an unknown event: nothing
    assert (
        conversation_live.deliver(UserFactory(), str(chat.pk), "message.new", {"id": message.pk})
        is None
    )
    other = conv.conversation_start(acting_user=member, people=[UserFactory()])
    assert (
        conversation_live.deliver(member, str(other.pk), "message.new", {"id": message.pk}) is None
    )
    assert conversation_live.deliver(member, str(chat.pk), "typing", {}) is None


def test_a_guest_whose_access_ended_receives_nothing_at_delivery(lead, project):
    guest = GuestFactory()
    membership = add_guest(project, guest)
    chat = conv.conversation_start(acting_user=lead, people=[guest])
    message = conv.message_send(acting_user=lead, conversation=chat, body="Still there?")
    assert conversation_live.deliver(guest, str(chat.pk), "message.new", {"id": message.pk})
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    guest.refresh_from_db()
    policy.forget_roles(guest)
    assert conversation_live.deliver(guest, str(chat.pk), "message.new", {"id": message.pk}) is None
    assert conversation_live.catch_up(guest, str(chat.pk), 0) == []
    assert not conversation_live.authorize(guest, str(chat.pk))


def test_catch_up_sends_what_came_after_in_order(member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    sent = [
        conv.message_send(acting_user=member, conversation=chat, body=f"m{i}") for i in range(4)
    ]
    items = conversation_live.catch_up(lead, str(chat.pk), sent[1].pk)
    assert [item["event"] for item in items] == ["message.new", "message.new"]
    assert [item["data"]["id"] for item in items] == [sent[2].pk, sent[3].pk]
    assert all(f'id="message-{item["data"]["id"]}"' in item["data"]["html"] for item in items)
    assert conversation_live.catch_up(lead, str(chat.pk), sent[3].pk) == []
    assert conversation_live.catch_up(UserFactory(), str(chat.pk), 0) == []


def test_conversation_changed_sends_the_head(member, lead):
    third = UserFactory(display_name="Theo Third")
    group = conv.conversation_start(acting_user=member, people=[lead, third], title="Trail")
    conv.conversation_rename(acting_user=lead, conversation=group, title="Trail crew")
    payload = conversation_live.deliver(member, str(group.pk), "conversation.changed", {})
    assert "Trail crew" in payload["html"] and 'id="conversation-header"' in payload["html"]


def _listen(topic: str) -> tuple:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.group_for(topic), channel)
    return layer, channel


def _drain(layer, channel) -> list:
    """Every message the layer holds for ``channel`` now (a short wait for each)."""
    import asyncio

    async def take():
        out = []
        while True:
            try:
                out.append(await asyncio.wait_for(layer.receive(channel), timeout=0.3))
            except TimeoutError:
                return out

    return async_to_sync(take)()


def test_services_publish_after_commit(member, lead, django_capture_on_commit_callbacks, settings):
    # The in-memory layer whatever REDIS_URL says: each async_to_sync below runs its own event
    # loop, and Redis's receive buffer belongs to the first loop that waited on it. (The
    # Redis layer is proven across processes in tests/portal/test_live_stack.py.)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    chat = conv.conversation_start(acting_user=member, people=[lead])
    layer, channel = _listen(conv.conversation_topic(chat))
    _ulayer, lead_channel = _listen(conv.user_topic(lead))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = conv.message_send(acting_user=member, conversation=chat, body="On commit")
        assert _drain(layer, channel) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    events = _drain(layer, channel)
    assert [(e["event"], e["data"]) for e in events] == [("message.new", {"id": message.pk})]
    unread = _drain(layer, lead_channel)
    assert [e["event"] for e in unread] == ["messages.unread"]
    with django_capture_on_commit_callbacks(execute=True):
        conv.message_react(acting_user=lead, message=message, emoji="🎉")
    assert [e["event"] for e in _drain(layer, channel)] == ["message.changed"]


def test_unread_count_is_registered_on_the_person_s_own_topic(member, lead):
    """``messages.unread`` carries a count computed for the recipient at delivery, through
    the floor's user-event registry."""
    from communities.live import user_events
    from conversations import selectors

    chat = conv.conversation_start(acting_user=member, people=[lead])
    conv.message_send(acting_user=member, conversation=chat, body="Count me")
    assert selectors.unread_count(lead) == 1
    assert selectors.unread_count(member) == 0
    assert "messages.unread" in user_events()
    assert conversation_live.unread_payload(lead, {}) == {
        "count": 1,
        "label": "Messages, 1 unread",
    }
    assert conversation_live.unread_payload(member, {}) == {"count": 0, "label": "Messages"}
