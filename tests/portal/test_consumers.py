"""The live socket (``portal/core/consumers.py``) through the site's whole ASGI application
(Origin check, session, routes), with Channels' ``WebsocketCommunicator``: who may connect,
who may subscribe to what, what reaches whom, catch-up after an id, and the socket closing
when access ends.

The consumer asks the policy in other threads (``database_sync_to_async``), and events are
published on commit: these tests commit (``transaction=True``; ``serialized_rollback`` puts
the migrations' rows, the Wagtail root page among them, back after each). Each scenario runs
in one event loop (``async_to_sync``); the services it calls run on the test's thread
(``sync_to_async``), like a web process publishing on commit.
"""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from communities import permissions as policy
from communities import services as cs
from communities.models import Membership
from conversations import services as conv
from conversations.models import Message, Participant
from portal.asgi import application
from portal.core import consumers
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = "http://localhost"
QUIET = 0.3  # seconds a socket must stay silent to have been sent nothing


def headers_for(user=None, origin: str = ORIGIN) -> list[tuple[bytes, bytes]]:
    """What a browser tab sends: its Origin and, signed in, its session cookie."""
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return headers


async def open_socket(headers) -> tuple[WebsocketCommunicator, bool]:
    socket = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    return socket, connected


# The header's counts, sent on the person's own topic when a message arrives or is read:
# beside the point of most tests here, so ``frame`` and ``quiet`` pass over them.
COUNT_EVENTS = {"messages.unread", "notifications.changed"}


def _is_count(answer: dict) -> bool:
    return str(answer.get("topic", "")).startswith("user:") and answer["event"] in COUNT_EVENTS


async def frame(socket: WebsocketCommunicator, timeout: float = 2, counts: bool = False) -> dict:
    """The next frame (other than a header count, unless ``counts``)."""
    while True:
        answer = await socket.receive_json_from(timeout=timeout)
        if counts or not _is_count(answer):
            return answer


async def quiet(socket: WebsocketCommunicator) -> bool:
    """Nothing but header counts arrives for ``QUIET`` seconds."""
    while not await socket.receive_nothing(QUIET):
        if not _is_count(await socket.receive_json_from()):
            return False
    return True


async def subscribe(
    socket, topic: str, after: int | None = None, counts: bool = False
) -> list[dict]:
    """Subscribe and return what came up to ``caught_up`` (or the refusal); header counts
    only if ``counts``."""
    request = {"action": "subscribe", "topic": topic}
    if after is not None:
        request["after"] = after
    await socket.send_json_to(request)
    received = []
    while True:
        answer = await frame(socket, counts=counts)
        received.append(answer)
        if answer.get("topic") == topic and answer["event"] in ("caught_up", "subscribe.refused"):
            return received


send = sync_to_async(conv.message_send)


def chat_between(first, second):
    return conv.conversation_start(acting_user=first, people=[second])


@pytest.fixture
def pair(lead, project):
    """Lea (the lead) and Paula (a guest of the project) in their direct conversation."""
    guest = GuestFactory(display_name="Paula Partner")
    membership = add_guest(project, guest)
    return lead, guest, membership, chat_between(lead, guest)


def test_an_anonymous_visitor_is_refused():
    async def scenario():
        socket, connected = await open_socket(headers_for(None))
        assert not connected
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_page_of_another_site_is_refused(member):
    headers = headers_for(member, origin="https://evil.example")

    async def scenario():
        socket, connected = await open_socket(headers)
        assert not connected
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_deactivated_account_is_refused(member):
    headers = headers_for(member)
    member.is_active = False
    member.save()

    async def scenario():
        socket, connected = await open_socket(headers)
        assert not connected
        await socket.disconnect()

    async_to_sync(scenario)()


def test_participants_hear_a_new_message_and_an_outsider_hears_nothing(pair):
    lead, guest, _, chat = pair
    outsider = UserFactory()
    other_guest = GuestFactory()
    elsewhere = cs.community_create(acting_user=UserFactory(), name="Elsewhere", kind="project")
    add_guest(elsewhere, other_guest)
    people = [guest, outsider, other_guest]
    headers = [headers_for(person) for person in people]
    topic = f"conversation:{chat.pk}"

    async def scenario():
        sockets = []
        for each in headers:
            socket, connected = await open_socket(each)
            assert connected
            sockets.append(socket)
        guest_socket, outsider_socket, other_guest_socket = sockets
        assert (await subscribe(guest_socket, topic))[-1]["event"] == "caught_up"
        # Someone with no seat, a guest of another community: refused, and told so.
        for socket in (outsider_socket, other_guest_socket):
            assert await subscribe(socket, topic) == [
                {"topic": topic, "event": "subscribe.refused"}
            ]
        message = await send(acting_user=lead, conversation=chat, body="Welcome aboard")
        got = await frame(guest_socket)
        assert got["topic"] == topic and got["event"] == "message.new"
        assert got["data"]["id"] == message.pk
        for socket in (outsider_socket, other_guest_socket):
            assert await quiet(socket)
        for socket in sockets:
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_forged_or_malformed_topic_gets_nothing(pair, member):
    lead, _guest, _, chat = pair
    headers = headers_for(member)  # not in the conversation

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        for topic in (
            f"conversation:{chat.pk}",
            f"conversation:{chat.pk + 1000}",
            "conversation:abc",
            "conversation:",
            f"user:{lead.pk}",  # someone else's own topic
            "nosuchkind:1",
            "conversation:1:2",
        ):
            assert await subscribe(socket, topic) == [
                {"topic": topic, "event": "subscribe.refused"}
            ]
        await send(acting_user=lead, conversation=chat, body="Not for you")
        assert await quiet(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_revoked_guest_is_refused(pair):
    lead, guest, membership, _ = pair
    # A group, so that the lead may still write in it once the guest has gone.
    chat = conv.conversation_start(acting_user=lead, people=[guest, UserFactory()])
    headers = headers_for(guest)
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    topic = f"conversation:{chat.pk}"

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected  # she may still sign in: her account is active
        assert await subscribe(socket, topic, after=0) == [
            {"topic": topic, "event": "subscribe.refused"}
        ]
        await send(acting_user=lead, conversation=chat, body="Are you there?")
        assert await quiet(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_revocation_closes_the_open_socket_within_a_second(pair):
    lead, guest, membership, chat = pair
    headers = headers_for(guest)
    topic = f"conversation:{chat.pk}"
    end = sync_to_async(cs.membership_end)

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        await subscribe(socket, topic)
        started = time.monotonic()
        await end(acting_user=lead, membership=membership, reason="ended")
        # Her seat closed with a "left" message, which she is not sent: the policy refuses
        # her already. Then her own topic's access.changed, and the socket closes.
        assert await frame(socket, timeout=1) == {
            "topic": f"user:{guest.pk}",
            "event": "access.changed",
        }
        closed = await socket.receive_output(timeout=1)
        assert closed == {"type": "websocket.close", "code": consumers.CLOSE_ACCESS_CHANGED}
        assert time.monotonic() - started < 1
        await socket.wait(timeout=1)

    async_to_sync(scenario)()
    seat = Participant.objects.get(conversation=chat, user=guest)
    assert seat.left_at is not None
    assert Message.objects.filter(conversation=chat, kind=Message.Kind.LEFT, subject=guest).exists()


def test_every_event_is_checked_at_delivery(lead, project, member):
    """A seat closed behind the consumer's back (no access.changed): the next message is
    not sent to the socket still subscribed."""
    add_member(project, lead, member)
    third = UserFactory()
    group = conv.conversation_start(acting_user=lead, people=[member, third])
    headers = headers_for(member)
    topic = f"conversation:{group.pk}"
    leave = sync_to_async(
        lambda: Participant.objects.filter(conversation=group, user=member).update(
            left_at="2026-01-01T00:00:00Z"
        )
    )

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        await subscribe(socket, topic)
        first = await send(acting_user=lead, conversation=group, body="One")
        assert (await frame(socket))["data"]["id"] == first.pk
        await leave()
        await send(acting_user=lead, conversation=group, body="Two")
        assert await quiet(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_catch_up_sends_the_missed_messages_in_order_then_live_ones_once(pair):
    lead, guest, _, chat = pair
    sent = [
        conv.message_send(acting_user=lead, conversation=chat, body=f"Message {n}").pk
        for n in range(5)
    ]
    headers = headers_for(guest)
    topic = f"conversation:{chat.pk}"

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        received = await subscribe(socket, topic, after=sent[1])
        assert [f["event"] for f in received] == ["message.new"] * 3 + ["caught_up"]
        assert [f["data"]["id"] for f in received[:-1]] == sent[2:]
        later = await send(acting_user=lead, conversation=chat, body="After the catch-up")
        got = await frame(socket)
        assert (got["event"], got["data"]["id"]) == ("message.new", later.pk)
        assert await quiet(socket)
        # Subscribed again after the last id: nothing twice.
        assert await subscribe(socket, topic, after=later.pk) == [
            {"topic": topic, "event": "caught_up"}
        ]
        await socket.disconnect()

    async_to_sync(scenario)()


def test_bad_frames_are_ignored_and_the_socket_keeps_working(pair):
    lead, guest, _, chat = pair
    headers = headers_for(guest)
    topic = f"conversation:{chat.pk}"

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        for text in (
            "not json",
            "[1, 2]",
            "null",
            json.dumps({"action": "explode", "topic": topic}),
            json.dumps({"action": "subscribe"}),
            json.dumps({"action": "subscribe", "topic": 12}),
            json.dumps({"action": "subscribe", "topic": topic + " " * consumers.MAX_FRAME_BYTES}),
        ):
            await socket.send_to(text_data=text)
        await socket.send_to(bytes_data=b"\x00\x01")
        assert await quiet(socket)
        # A nonsensical "after" is no catch-up, not an error.
        assert await subscribe(socket, topic, after="12; DROP TABLE") == [
            {"topic": topic, "event": "caught_up"}
        ]
        message = await send(acting_user=lead, conversation=chat, body="Still here")
        assert (await frame(socket))["data"]["id"] == message.pk
        await socket.disconnect()

    async_to_sync(scenario)()


def test_unsubscribed_topics_are_silent_and_subscriptions_are_capped(pair, monkeypatch):
    lead, guest, _, chat = pair
    other = conv.conversation_start(acting_user=lead, people=[guest, UserFactory()])
    monkeypatch.setattr(consumers, "MAX_SUBSCRIPTIONS", 1)
    headers = headers_for(guest)
    topic, second = f"conversation:{chat.pk}", f"conversation:{other.pk}"

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        await subscribe(socket, topic)
        assert await subscribe(socket, second) == [{"topic": second, "event": "subscribe.refused"}]
        # The same topic again does not count twice.
        assert (await subscribe(socket, topic))[-1]["event"] == "caught_up"
        await socket.send_json_to({"action": "unsubscribe", "topic": topic})
        await send(acting_user=lead, conversation=chat, body="Gone")
        assert await quiet(socket)
        assert (await subscribe(socket, second))[-1]["event"] == "caught_up"
        await socket.disconnect()

    async_to_sync(scenario)()


def test_erasing_a_participant_closes_their_socket(pair, staff):
    from portal.accounts import services as accounts

    _lead, guest, _, chat = pair
    headers = headers_for(guest)
    erase = sync_to_async(accounts.account_erase)

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        await erase(user=guest, acting_user=staff)
        assert (await frame(socket, timeout=1))["event"] == "access.changed"
        assert (await socket.receive_output(timeout=1))["code"] == consumers.CLOSE_ACCESS_CHANGED

    async_to_sync(scenario)()
    assert Participant.objects.get(conversation=chat, user=guest).left_at is not None
    assert not Membership.objects.filter(user=guest, status=Membership.Status.ACTIVE).exists()
    assert not policy.can(guest, "conversations.view_conversation", chat)
