"""The floor's live topics (communities/live.py): what the services publish on commit, and
what each recipient is given at delivery, by the policy, at that moment.

The channel layer is the real in-memory one (no Redis here); ``heard`` listens to topics'
groups as the consumer does and returns what reached them once the transaction committed.
"""

import asyncio
import datetime
import zoneinfo

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse
from django.utils import timezone

from communities import live as pages_live
from communities import notifications
from communities import services as cs
from communities.models import Membership, Notification
from portal.core import live
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


class Listener:
    """A channel in the groups of some topics. The in-memory layer's queues belong to the
    event loop that first waits on them, so each ``frames()`` drains into a fresh channel."""

    def __init__(self, topics):
        self.layer = get_channel_layer()
        self.topics = topics
        self.channel = self._join()

    def _join(self):
        channel = async_to_sync(self.layer.new_channel)()
        for name in self.topics:
            async_to_sync(self.layer.group_add)(live.group_for(name), channel)
        return channel

    def frames(self):
        async def drain():
            got = []
            while True:
                try:
                    got.append(await asyncio.wait_for(self.layer.receive(self.channel), 0.05))
                except TimeoutError:
                    return got

        got = async_to_sync(drain)()
        for name in self.topics:
            async_to_sync(self.layer.group_discard)(live.group_for(name), self.channel)
        self.channel = self._join()
        return [(m["topic"], m["event"], m["data"]) for m in got]


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """``heard(topics, action)``: run ``action`` in a transaction that commits (its on-commit
    callbacks run, as in production) and return what reached those topics' groups."""

    def run(topics, action):
        listener = Listener(topics)
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return listener.frames()

    return run


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    return person


@pytest.fixture
def post(lead, project):
    return cs.post_create(acting_user=lead, community=project, body="The trail charter")


def deliver(kind, user, key, event, data):
    return live.topic_kind(kind).deliver(user, str(key), event, data)


def catch_up(kind, user, key, after):
    return live.topic_kind(kind).catch_up(user, str(key), after)


def authorize(kind, user, key):
    return live.topic_kind(kind).authorize(user, str(key))


# --- Registration -----------------------------------------------------------------------------


def test_the_floor_registers_its_three_topics_and_the_bell():
    assert {"user", "community", "post"} <= live.registered_kinds()
    assert "notifications.changed" in pages_live.user_events()


def test_a_user_event_is_registered_once():
    def compute(user, data):
        return {"count": 1}

    pages_live.register_user_event("tests.event", compute)
    pages_live.register_user_event("tests.event", compute)  # ready() may run twice
    with pytest.raises(ValueError):
        pages_live.register_user_event("tests.event", lambda user, data: None)
    pages_live._user_events.pop("tests.event")


# --- Publishing on commit ---------------------------------------------------------------------


def test_a_new_post_is_announced_on_its_community_after_commit(
    lead, project, heard, django_capture_on_commit_callbacks
):
    topic = f"community:{project.pk}"
    listener = Listener([topic])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = cs.post_create(acting_user=lead, community=project, body="Hello")
    assert listener.frames() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert listener.frames() == [(topic, "post.new", {"id": post.pk})]


def test_comments_are_announced_on_their_post(lead, colleague, post, heard):
    topic = f"post:{post.pk}"
    made = {}

    def create():
        made["comment"] = cs.comment_create(acting_user=colleague, post=post, body="Agreed")

    assert heard([topic], create) == [(topic, "comment.new", {"id": made["comment"].pk})]
    comment = made["comment"]
    assert heard(
        [topic], lambda: cs.comment_update(acting_user=colleague, comment=comment, body="Yes")
    ) == [(topic, "comment.changed", {"id": comment.pk})]
    pk = comment.pk
    assert heard([topic], lambda: cs.comment_delete(acting_user=lead, comment=comment)) == [
        (topic, "comment.changed", {"id": pk})
    ]


def test_a_double_submitted_comment_is_announced_once(colleague, post, heard):
    topic = f"post:{post.pk}"
    first = heard(
        [topic],
        lambda: cs.comment_create(acting_user=colleague, post=post, body="Hi", client_token="t1"),
    )
    again = heard(
        [topic],
        lambda: cs.comment_create(acting_user=colleague, post=post, body="Hi", client_token="t1"),
    )
    assert len(first) == 1
    assert again == []


def test_the_bell_changes_when_a_notification_comes_and_when_it_is_read(
    client, lead, colleague, post, heard
):
    bell = f"user:{lead.pk}"
    mine = f"user:{colleague.pk}"
    # A reply notifies the post's author, not the one who wrote it.
    frames = heard(
        [bell, mine], lambda: cs.comment_create(acting_user=colleague, post=post, body="Hi")
    )
    assert frames == [(bell, "notifications.changed", {})]
    note = Notification.objects.get(user=lead, kind="reply")
    assert heard([bell], lambda: notifications.notification_open(user=lead, pk=note.pk)) == [
        (bell, "notifications.changed", {})
    ]
    # Opened again: nothing changed, nothing sent.
    assert heard([bell], lambda: notifications.notification_open(user=lead, pk=note.pk)) == []
    cs.comment_create(acting_user=colleague, post=post, body="Again")
    assert heard([bell], lambda: notifications.notifications_mark_all_read(user=lead)) == [
        (bell, "notifications.changed", {})
    ]
    assert heard([bell], lambda: notifications.notifications_mark_all_read(user=lead)) == []


def test_accepting_an_invitation_clears_its_notification_on_the_bell(lead, project, heard):
    person = UserFactory()
    membership = cs.membership_invite(acting_user=lead, community=project, user=person)
    topic = f"user:{person.pk}"
    frames = heard([topic], lambda: cs.membership_accept(acting_user=person, membership=membership))
    assert (topic, "notifications.changed", {}) in frames


# --- user:<id> --------------------------------------------------------------------------------


def test_the_own_topic_only(lead, colleague):
    assert authorize("user", lead, lead.pk)
    assert not authorize("user", lead, colleague.pk)
    assert not authorize("user", lead, "nobody")
    # A forged id gets nothing, even if an event reached it.
    assert deliver("user", lead, colleague.pk, "notifications.changed", {}) is None


def test_the_bell_payload_is_the_count_now_in_the_readers_language(lead, colleague, post):
    cs.comment_create(acting_user=colleague, post=post, body="One")
    cs.comment_create(acting_user=colleague, post=post, body="Two")
    payload = deliver("user", lead, lead.pk, "notifications.changed", {})
    assert payload == {"count": 2, "label": "Notifications, 2 unread"}
    lead.language = "fr"
    payload = deliver("user", lead, lead.pk, "notifications.changed", {})
    assert payload["count"] == 2
    assert "2" in payload["label"] and "Notifications" in payload["label"]
    assert payload["label"] != "Notifications, 2 unread"  # translated
    assert deliver("user", lead, lead.pk, "something.else", {}) is None


def test_a_revoked_guest_bell_no_longer_counts_the_communitys_notifications(lead, project, post):
    guest = GuestFactory()
    add_guest(project, guest)
    comment = cs.comment_create(acting_user=guest, post=post, body="Hello")
    cs.comment_create(acting_user=lead, post=post, body="Welcome", parent=comment)
    assert deliver("user", guest, guest.pk, "notifications.changed", {})["count"] == 1
    membership = Membership.objects.get(user=guest, community=project)
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    # The same user object, as a socket holds it: the policy is asked again.
    assert deliver("user", guest, guest.pk, "notifications.changed", {})["count"] == 0


def test_an_upper_app_adds_its_user_event_computed_at_delivery(lead, colleague, post):
    seen = []

    def unread(user, data):
        seen.append((user.pk, data))
        return {"count": 7}

    pages_live.register_user_event("tests.unread", unread)
    try:
        assert deliver("user", lead, lead.pk, "tests.unread", {"conversation": 3}) == {"count": 7}
        assert seen == [(lead.pk, {"conversation": 3})]
        # The catch-up at (re)connection gives every count as it is now.
        cs.comment_create(acting_user=colleague, post=post, body="Hi")
        items = catch_up("user", lead, lead.pk, 0)
        assert {"event": "tests.unread", "data": {"count": 7}} in items
        assert {
            "event": "notifications.changed",
            "data": {"count": 1, "label": "Notifications, 1 unread"},
        } in items
        assert catch_up("user", lead, colleague.pk, 0) == []
    finally:
        pages_live._user_events.pop("tests.unread")


# --- community:<id> ---------------------------------------------------------------------------


def test_a_new_post_reaches_those_who_may_see_it_now(lead, project, colleague, post):
    outsider = UserFactory()  # internal, not a member of this private community
    other_guest = GuestFactory()
    elsewhere = cs.community_create(acting_user=lead, name="Elsewhere", visibility="private")
    add_guest(elsewhere, other_guest)
    data = {"id": post.pk}
    assert deliver("community", colleague, project.pk, "post.new", data) == {"id": post.pk}
    assert deliver("community", outsider, project.pk, "post.new", data) is None
    assert deliver("community", other_guest, project.pk, "post.new", data) is None
    # A forged pairing of a post with another community gets nothing.
    assert deliver("community", colleague, elsewhere.pk, "post.new", data) is None
    assert deliver("community", colleague, project.pk, "post.new", {"id": "x"}) is None
    assert deliver("community", colleague, project.pk, "other", data) is None
    assert authorize("community", colleague, project.pk)
    assert not authorize("community", outsider, project.pk)
    assert not authorize("community", other_guest, project.pk)
    assert not authorize("community", colleague, 999999)


def test_a_hidden_post_reaches_only_its_author_and_the_moderators(lead, project, colleague):
    post = cs.post_create(acting_user=colleague, community=project, body="Oops")
    cs.post_set_hidden(acting_user=lead, post=post, hidden=True)
    reader = UserFactory()
    add_member(project, lead, reader)
    data = {"id": post.pk}
    assert deliver("community", reader, project.pk, "post.new", data) is None
    assert deliver("community", colleague, project.pk, "post.new", data) == data
    assert deliver("community", lead, project.pk, "post.new", data) == data
    assert catch_up("community", reader, project.pk, 0) == []


def test_a_revoked_guest_gets_nothing_from_the_moment_access_ends(lead, project, partner, post):
    data = {"id": post.pk}
    assert deliver("community", partner, project.pk, "post.new", data) == data
    assert authorize("community", partner, project.pk)
    Membership.objects.filter(user=partner, community=project).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    # The socket's user object still carries the roles the policy cached: asked again.
    assert deliver("community", partner, project.pk, "post.new", data) is None
    assert not authorize("community", partner, project.pk)
    assert catch_up("community", partner, project.pk, 0) == []


def test_the_community_catch_up_lists_posts_after_the_last_seen(lead, project, colleague, post):
    second = cs.post_create(acting_user=colleague, community=project, body="Second")
    third = cs.post_create(acting_user=lead, community=project, body="Third")
    assert catch_up("community", colleague, project.pk, post.pk) == [
        {"event": "post.new", "data": {"id": second.pk}},
        {"event": "post.new", "data": {"id": third.pk}},
    ]
    assert catch_up("community", colleague, project.pk, third.pk) == []


# --- post:<id> --------------------------------------------------------------------------------


def test_a_new_comment_arrives_rendered_for_its_reader(lead, project, colleague, post):
    comment = cs.comment_create(acting_user=colleague, post=post, body="**Agreed**")
    mine = deliver("post", colleague, post.pk, "comment.new", {"id": comment.pk})
    theirs = deliver("post", lead, post.pk, "comment.new", {"id": comment.pk})
    assert mine["id"] == theirs["id"] == comment.pk
    assert mine["parent"] is None
    for payload in (mine, theirs):
        assert payload["html"].startswith(f'<li class="comment" id="comment-{comment.pk}"')
        assert "<strong>Agreed</strong>" in payload["html"]
        # The forms take the page's CSRF token (live-pages.js): no token is ever sent.
        assert f'value="{pages_live.CSRF_PLACEHOLDER}"' in payload["html"]
    # The author edits it; the lead (a moderator) deletes it; both may reply.
    edit = reverse("communities:comment_edit", args=[comment.pk])
    assert edit in mine["html"] and edit not in theirs["html"]
    delete = reverse("communities:comment_delete", args=[comment.pk])
    assert delete in mine["html"] and delete in theirs["html"]
    assert f'id="reply-{comment.pk}"' in theirs["html"]


def test_a_reply_names_its_thread_and_is_in_the_readers_language(lead, colleague, post):
    comment = cs.comment_create(acting_user=colleague, post=post, body="First")
    reply = cs.comment_create(acting_user=lead, post=post, body="Second", parent=comment)
    colleague.language, colleague.timezone = "fr", "Pacific/Auckland"
    payload = deliver("post", colleague, post.pk, "comment.new", {"id": reply.pk})
    assert payload["parent"] == comment.pk
    assert "Modifier" not in payload["html"]  # not theirs
    assert "♡ J’aime" in payload["html"] and "Like" not in payload["html"]
    local = timezone.localtime(reply.created_at, zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert f'datetime="{local.isoformat()}"' in payload["html"]  # their time zone


def test_comments_reach_nobody_who_may_not_read_the_post(lead, project, colleague, partner, post):
    comment = cs.comment_create(acting_user=colleague, post=post, body="Hi")
    data = {"id": comment.pk}
    outsider = UserFactory()
    other_guest = GuestFactory()
    elsewhere = cs.community_create(acting_user=lead, name="Elsewhere", visibility="private")
    add_guest(elsewhere, other_guest)
    assert deliver("post", partner, post.pk, "comment.new", data) is not None
    for person in (outsider, other_guest):
        assert deliver("post", person, post.pk, "comment.new", data) is None
        assert not authorize("post", person, post.pk)
        assert catch_up("post", person, post.pk, 0) == []
    # The post is hidden: its comments stop for the readers, not for the moderators.
    cs.post_set_hidden(acting_user=lead, post=post, hidden=True)
    assert deliver("post", partner, post.pk, "comment.new", data) is None
    assert not authorize("post", partner, post.pk)
    assert deliver("post", lead, post.pk, "comment.new", data) is not None
    cs.post_set_hidden(acting_user=lead, post=post, hidden=False)
    # The guest's access ends: nothing more, though the socket's user object is the same.
    assert deliver("post", partner, post.pk, "comment.new", data) is not None
    membership = Membership.objects.get(user=partner, community=project)
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    assert deliver("post", partner, post.pk, "comment.new", data) is None
    assert deliver("post", partner, post.pk, "comment.changed", data) is None


def test_a_comment_gone_or_hidden_since_is_taken_away(lead, project, colleague, post):
    comment = cs.comment_create(acting_user=colleague, post=post, body="Hi")
    pk = comment.pk
    comment.is_hidden = True
    comment.save(update_fields=["is_hidden"])
    reader = UserFactory()
    add_member(project, lead, reader)
    assert deliver("post", reader, post.pk, "comment.changed", {"id": pk}) == {
        "id": pk,
        "removed": True,
    }
    assert deliver("post", reader, post.pk, "comment.new", {"id": pk}) is None
    assert deliver("post", lead, post.pk, "comment.changed", {"id": pk})["html"]
    cs.comment_delete(acting_user=lead, comment=comment)
    assert deliver("post", lead, post.pk, "comment.changed", {"id": pk}) == {
        "id": pk,
        "removed": True,
    }


def test_an_edit_arrives_with_the_new_text(colleague, post):
    comment = cs.comment_create(acting_user=colleague, post=post, body="Frist")
    cs.comment_update(acting_user=colleague, comment=comment, body="First")
    payload = deliver("post", colleague, post.pk, "comment.changed", {"id": comment.pk})
    assert "First" in payload["html"] and "Frist" not in payload["html"]


def test_the_post_catch_up_sends_what_came_after_in_order(lead, colleague, post):
    first = cs.comment_create(acting_user=colleague, post=post, body="First")
    second = cs.comment_create(acting_user=lead, post=post, body="Second", parent=first)
    third = cs.comment_create(acting_user=colleague, post=post, body="Third")
    items = catch_up("post", colleague, post.pk, first.pk)
    assert [(i["event"], i["data"]["id"], i["data"]["parent"]) for i in items] == [
        ("comment.new", second.pk, first.pk),
        ("comment.new", third.pk, None),
    ]
    assert all(i["data"]["html"].startswith('<li class="comment"') for i in items)


# --- The pages carry their topics, at no query's cost ------------------------------------------


def test_the_pages_name_their_topics_and_the_last_id_shown(client, lead, project, colleague, post):
    reply = cs.comment_create(acting_user=colleague, post=post, body="Hi")
    client.force_login(colleague)
    html = client.get(reverse("communities:detail", args=[project.slug])).content.decode()
    assert f'data-live-topic="community:{project.pk}" data-live-after="{post.pk}"' in html
    assert "data-new-posts-button hidden" in html
    assert f'data-live-topic="user:{colleague.pk}" data-live-after="0"' in html
    assert "portal/js/live-pages" in html
    html = client.get(reverse("communities:feed")).content.decode()
    assert f'data-live-topic="community:{project.pk}" data-live-after="{post.pk}"' in html
    html = client.get(reverse("communities:post", args=[post.pk])).content.decode()
    assert f'data-live-topic="post:{post.pk}" data-live-after="{reply.pk}"' in html
    assert 'role="status" data-live-announce' in html
    client.logout()
    html = client.get(reverse("account_login")).content.decode()
    assert "data-live-topic" not in html and "live-pages" not in html


def test_the_bell_keeps_an_empty_badge_for_the_live_count(client, lead):
    client.force_login(lead)
    html = client.get(reverse("communities:notification_bell")).content.decode()
    assert "data-bell-count hidden></span>" in html
    assert "Notifications, 0 unread" in html
