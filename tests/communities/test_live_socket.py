"""The floor's live topics through the real socket (the site's ASGI application and
``portal/core/consumers.py``, with Channels' ``WebsocketCommunicator``): the bell, a
community's new posts, a post's comments; who may subscribe, and what reaches whom when.

As in tests/portal/test_consumers.py: events are published on commit, so these tests commit
(``transaction=True``, with ``serialized_rollback``); each scenario runs in one event loop and
calls the services through ``sync_to_async``, as a web process would.
"""

from __future__ import annotations

import datetime

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from communities import notifications
from communities import services as cs
from communities.models import Membership
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory
from tests.portal.test_consumers import QUIET, frame, headers_for, open_socket, subscribe

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

create_post = sync_to_async(cs.post_create)
create_comment = sync_to_async(cs.comment_create)
hide_post = sync_to_async(cs.post_set_hidden)


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    return person


def test_the_bell_rings_on_its_own_topic_and_the_catch_up_gives_the_count(lead, colleague, project):
    post = cs.post_create(acting_user=lead, community=project, body="The charter")
    cs.comment_create(acting_user=colleague, post=post, body="Read it")  # the lead: 1 unread
    headers = headers_for(lead)
    own, other = f"user:{lead.pk}", f"user:{colleague.pk}"
    mark_read = sync_to_async(notifications.notifications_mark_all_read)

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        # The page's own element subscribes after 0: the counts as they are now (the bell's,
        # and the messages link's, which conversations register).
        caught_up = await subscribe(socket, own, after=0, counts=True)
        assert caught_up[-1] == {"topic": own, "event": "caught_up"}
        assert {
            "topic": own,
            "event": "notifications.changed",
            "data": {"count": 1, "label": "Notifications, 1 unread"},
        } in caught_up
        assert {
            "topic": own,
            "event": "messages.unread",
            "data": {"count": 0, "label": "Messages"},
        } in caught_up
        assert len(caught_up) == 3
        # Somebody else's bell: refused.
        assert await subscribe(socket, other) == [{"topic": other, "event": "subscribe.refused"}]
        # Heard without subscribing: the server put the socket in its own topic at connect.
        await create_comment(acting_user=colleague, post=post, body="And signed it")
        got = await frame(socket, counts=True)
        assert (got["topic"], got["event"], got["data"]["count"]) == (
            own,
            "notifications.changed",
            2,
        )
        await mark_read(user=lead)
        assert (await frame(socket, counts=True))["data"]["count"] == 0
        # The lead's own comment on his own post notifies nobody.
        await create_comment(acting_user=lead, post=post, body="Thanks")
        assert await socket.receive_nothing(QUIET)
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_new_post_reaches_its_community_readers_and_nobody_else(lead, project, colleague):
    outsider = UserFactory()
    other_guest = GuestFactory()
    elsewhere = cs.community_create(acting_user=UserFactory(), name="Elsewhere", kind="project")
    add_guest(elsewhere, other_guest)
    earlier = cs.post_create(acting_user=lead, community=project, body="Earlier")
    missed = cs.post_create(acting_user=lead, community=project, body="While the lid was shut")
    people = [colleague, outsider, other_guest]
    headers = [headers_for(person) for person in people]
    topic = f"community:{project.pk}"

    async def scenario():
        sockets = []
        for each in headers:
            socket, connected = await open_socket(each)
            assert connected
            sockets.append(socket)
        reader, outsider_socket, other_guest_socket = sockets
        # After the newest post the page showed: the one it missed, then live ones.
        assert await subscribe(reader, topic, after=earlier.pk) == [
            {"topic": topic, "event": "post.new", "data": {"id": missed.pk}},
            {"topic": topic, "event": "caught_up"},
        ]
        for socket in (outsider_socket, other_guest_socket):
            assert await subscribe(socket, topic) == [
                {"topic": topic, "event": "subscribe.refused"}
            ]
        post = await create_post(acting_user=lead, community=project, body="Fresh news")
        assert await frame(reader) == {"topic": topic, "event": "post.new", "data": {"id": post.pk}}
        for socket in sockets:
            assert await socket.receive_nothing(QUIET)
        for socket in sockets:
            await socket.disconnect()

    async_to_sync(scenario)()


def test_comments_arrive_rendered_and_stop_when_the_post_is_hidden(lead, project, colleague):
    post = cs.post_create(acting_user=lead, community=project, body="The charter")
    first = cs.comment_create(acting_user=lead, post=post, body="First")
    headers = headers_for(colleague)
    lead_headers = headers_for(lead)
    topic = f"post:{post.pk}"

    async def scenario():
        socket, connected = await open_socket(headers)
        lead_socket, lead_connected = await open_socket(lead_headers)
        assert connected and lead_connected
        assert await subscribe(socket, topic, after=first.pk) == [
            {"topic": topic, "event": "caught_up"}
        ]
        await subscribe(lead_socket, topic, after=first.pk)
        reply = await create_comment(acting_user=lead, post=post, body="*Welcome*", parent=first)
        got = await frame(socket)
        assert (got["topic"], got["event"], got["data"]["id"], got["data"]["parent"]) == (
            topic,
            "comment.new",
            reply.pk,
            first.pk,
        )
        assert f'id="comment-{reply.pk}"' in got["data"]["html"]
        assert "<em>Welcome</em>" in got["data"]["html"]
        assert (await frame(lead_socket))["data"]["id"] == reply.pk
        # Hidden by the lead (a moderator): its readers hear nothing more, the lead does.
        await hide_post(acting_user=lead, post=post, hidden=True)
        later = await create_comment(acting_user=lead, post=post, body="Still here")
        assert (await frame(lead_socket))["data"]["id"] == later.pk
        assert await socket.receive_nothing(QUIET)
        # And subscribing again is refused (the page then says so).
        assert await subscribe(socket, topic) == [{"topic": topic, "event": "subscribe.refused"}]
        await socket.disconnect()
        await lead_socket.disconnect()

    async_to_sync(scenario)()


def test_a_guest_whose_access_lapsed_hears_nothing_more(lead, project):
    """Her access ends by its date: no event tells the consumer, and her socket is still
    subscribed; the policy, asked at delivery, gives her nothing."""
    guest = GuestFactory(display_name="Paula Partner")
    add_guest(project, guest)
    post = cs.post_create(acting_user=lead, community=project, body="The charter")
    headers = headers_for(guest)
    topics = [f"community:{project.pk}", f"post:{post.pk}"]
    lapse = sync_to_async(
        lambda: Membership.objects.filter(user=guest, community=project).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    )

    async def scenario():
        socket, connected = await open_socket(headers)
        assert connected
        for topic in topics:
            assert (await subscribe(socket, topic))[-1]["event"] == "caught_up"
        comment = await create_comment(acting_user=lead, post=post, body="Before")
        assert (await frame(socket))["data"]["id"] == comment.pk
        await lapse()
        await create_comment(acting_user=lead, post=post, body="After")
        await create_post(acting_user=lead, community=project, body="After too")
        assert await socket.receive_nothing(QUIET)
        await socket.disconnect()

    async_to_sync(scenario)()
