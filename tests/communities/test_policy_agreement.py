"""The policy's two forms agree: for every kind of person × every community visibility ×
archived or not × members-may-add-events or not × every permission, ``can(user, perm,
community)`` holds exactly when ``filter(user, perm, …)`` keeps the community, and the same
for the posts and events of that community (reached through a prefix), and for documents
shared with one person outside the community (a django-guardian grant).

The states are built with the services, as people would: invitations, requests, leaving,
removal, guests invited and their access ended. Only what no service does is written
directly (a guest whose end date passed, an account deactivated by hand).
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities import permissions as p
from communities import services as cs
from communities.models import Comment, Community, Membership, Post
from documents import services as document_services
from documents.models import Document
from documents.permissions import SHARE_PERM
from events import services as event_services
from events.models import Event
from guests import services as guest_services
from portal.accounts.models import User
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PERMS = sorted(p.ALL)
SHAPES = list(
    itertools.product(
        Community.Visibility.values,  # every visibility
        (False, True),  # archived
        (False, True),  # members may add events
    )
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _invite_guest(lead, email, communities):
    invitation, _token = guest_services.invitation_create(
        acting_user=lead, email=email, communities=communities
    )
    guest = GuestFactory(email=email)
    guest_services.invitation_accept(invitation=invitation, user=guest)
    return guest


@pytest.fixture
def world():
    """Twelve communities (every shape) and the general one, each with a post, an event and
    a document; one person per kind of relation to them, the same in every community."""
    lead = UserFactory()
    general = cs.general_community()
    communities = []
    for visibility, archived, members_add_events in SHAPES:
        communities.append(
            cs.community_create(
                acting_user=lead,
                name=f"{visibility} archived={archived} events={members_add_events}",
                visibility=visibility,
                members_add_events=members_add_events,
            )
        )
    people: dict[str, object] = {"lead": lead, "anonymous": AnonymousUser()}
    people["outsider"] = UserFactory()  # internal, in the general community only
    people["administrator"] = UserFactory(is_superuser=True, is_staff=True)
    people["administrator member"] = UserFactory(is_superuser=True, is_staff=True)
    people["member"] = UserFactory()
    for name in ("member", "administrator member", "deactivated", "left", "removed"):
        person = people.get(name) or UserFactory()
        people[name] = person
        for community in communities:
            invited = cs.membership_invite(acting_user=lead, community=community, user=person)
            cs.membership_accept(acting_user=person, membership=invited)
    for community in communities:
        cs.membership_leave(acting_user=people["left"], community=community)
        removed = Membership.objects.get(user=people["removed"], community=community)
        cs.membership_remove(acting_user=lead, membership=removed)
    people["invited"] = UserFactory()
    people["requested"] = UserFactory()  # asked to join the private ones
    for community in communities:
        cs.membership_invite(acting_user=lead, community=community, user=people["invited"])
        if community.visibility == Community.Visibility.PRIVATE:
            cs.membership_join(acting_user=people["requested"], community=community)
    people["guest"] = _invite_guest(lead, "guest@funder.example", communities)
    people["guest elsewhere"] = GuestFactory()
    people["expired guest"] = _invite_guest(lead, "expired@funder.example", communities)
    Membership.objects.filter(user=people["expired guest"]).update(  # no service does this
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    ended = _invite_guest(lead, "ended@funder.example", communities)
    for membership in Membership.objects.filter(user=ended):
        guest_services.guest_end(acting_user=lead, membership=membership)
    people["ended guest"] = User.objects.get(pk=ended.pk)  # deactivated by the last end
    deactivated = people["deactivated"]
    deactivated.is_active = False  # an account closed by hand: no service does this
    deactivated.save(update_fields=["is_active"])

    start = timezone.now() + datetime.timedelta(days=3)
    schedule = event_services.Schedule(
        start=start, end=start + datetime.timedelta(hours=1), tz="Europe/Paris"
    )
    for community in [*communities, general]:
        post = cs.post_create(acting_user=lead, community=community, body=f"In {community.name}")
        cs.comment_create(acting_user=lead, post=post, body="Noted")
        if community != general:  # a hidden post by a member, and one of its comments
            hidden = cs.post_create(acting_user=people["member"], community=community, body="?")
            cs.post_set_hidden(acting_user=lead, post=hidden, hidden=True)
            comment = cs.comment_create(acting_user=people["member"], post=post, body="!")
            comment.is_hidden = True  # no service hides a comment: moderators delete them
            comment.save(update_fields=["is_hidden"])
    for community in communities:
        event_services.event_create(
            acting_user=lead, community=community, title="Meeting", schedule=schedule
        )
        document = document_services.document_create(
            acting_user=lead, community=community, upload=SimpleUploadedFile("a.pdf", PDF)
        )
        # Shared with the people who may not read the community (django-guardian grants).
        for name in ("outsider", "guest elsewhere", "requested"):
            if not p.can(people[name], p.VIEW, community):
                document_services.document_share(
                    acting_user=lead, document=document, user=people[name]
                )
    for community, (_visibility, archived, _events) in zip(communities, SHAPES, strict=True):
        if archived:
            cs.community_archive(acting_user=lead, community=community)
    fresh = {}
    for name, person in people.items():
        if isinstance(person, User):
            person = User.objects.get(pk=person.pk)  # reloaded: no cached roles
        fresh[name] = person
    return fresh


def _expected(user, perm, objects):
    return {obj.pk for obj in objects if p.can(user, perm, p.community_of(obj))}


def test_communities_posts_and_events_agree_for_every_case(world):
    communities = list(Community.objects.all())
    assert len(communities) == len(SHAPES) + 1  # and the general community
    posts = list(Post.objects.select_related("community"))
    events = list(Event.objects.select_related("community"))
    comments = list(Comment.objects.select_related("post__community"))
    cases = 0
    for (name, user), perm in itertools.product(world.items(), PERMS):
        for model, objects in ((Community, communities), (Post, posts), (Event, events)):
            listed = set(p.filter(user, perm, model.objects.all()).values_list("pk", flat=True))
            assert listed == _expected(user, perm, objects), (name, perm, model.__name__)
            cases += len(objects)
        # A prefix through two relations: the comments' way to their community.
        listed = set(
            p.filter(user, perm, Comment.objects.all(), prefix="post__community__").values_list(
                "pk", flat=True
            )
        )
        assert listed == _expected(user, perm, comments), (name, perm, "Comment")
        cases += len(comments)
    # people x permissions x (communities + posts + comments + events)
    rows = len(communities) + len(posts) + len(comments) + len(events)
    assert cases == len(world) * len(PERMS) * rows


def test_every_permission_is_held_by_someone_and_refused_to_someone(world):
    """The cases above are not vacuous: each permission is granted and refused somewhere."""
    communities = list(Community.objects.all())
    for perm in PERMS:
        held = [
            (name, c.pk)
            for name, user in world.items()
            for c in communities
            if p.can(user, perm, c)
        ]
        assert held, perm
        assert len(held) < len(world) * len(communities), perm


def test_hidden_posts_and_comments_agree(world):
    posts = list(Post.objects.select_related("community"))
    comments = list(Comment.objects.select_related("post__community"))
    assert any(post.is_hidden for post in posts) and any(c.is_hidden for c in comments)
    for name, user in world.items():
        for model, rows, prefix in (
            (Post, posts, "community__"),
            (Comment, comments, "post__community__"),
        ):
            expected = {r.pk for r in rows if not r.is_hidden or p.can_see_hidden(user, r)}
            listed = set(model.objects.filter(p.shown_q(user, prefix)).values_list("pk", flat=True))
            assert listed == expected, (name, model.__name__)
            for community in {p.community_of(r) for r in rows}:
                mine = model.objects.filter(
                    p.shown_q(user, community=community), **{prefix[:-2]: community}
                )
                assert set(mine.values_list("pk", flat=True)) == {
                    r.pk for r in rows if r.pk in expected and p.community_of(r) == community
                }, (name, model.__name__, community.name)


def test_documents_read_through_a_grant_agree(world):
    documents = list(Document.objects.select_related("community"))
    shared = 0
    for name, user in world.items():
        listed = set(
            p.filter_viewable(user, Document.objects.all(), explicit_perm=SHARE_PERM).values_list(
                "pk", flat=True
            )
        )
        expected = set()
        for document in documents:
            if p.can_view_object(user, document, explicit_perm=SHARE_PERM):
                expected.add(document.pk)
                shared += not p.can(user, p.VIEW, document.community)
        assert listed == expected, name
    assert shared > 0  # some documents are read only through the grant


def test_the_queryset_form_costs_one_query_whatever_the_number_of_communities(
    world, django_assert_max_num_queries
):
    for name in ("member", "guest", "outsider", "administrator member"):
        user = world[name]
        for perm in PERMS:
            with django_assert_max_num_queries(1):
                list(p.filter(user, perm, Post.objects.all()))
