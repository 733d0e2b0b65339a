"""The home page's dashboard: my communities with unread counts, my next events, the
documents awaiting my review and the latest news, each through the policy."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import services as cs
from documents import services as document_services
from events import services as event_services
from portal import demo
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.seed_pages()


def _event(lead, community, title, days):
    start = timezone.now() + datetime.timedelta(days=days)
    return event_services.event_create(
        acting_user=lead,
        community=community,
        title=title,
        schedule=event_services.Schedule(
            start=start, end=start + datetime.timedelta(hours=1), tz="Europe/Paris"
        ),
    )


def _dashboard(client, person):
    client.force_login(person)
    response = client.get("/")
    assert response.status_code == 200
    return response.context["dashboard"]


def _unread(client, person) -> dict[str, int]:
    return {c.name: c.unread for c in _dashboard(client, person).communities}


def test_unread_counts_posts_by_others_until_the_feed_is_opened(client, lead, project, member):
    add_member(project, lead, member)
    cs.post_create(acting_user=member, community=project, body="My own post is not news to me")
    for n in range(3):
        cs.post_create(acting_user=lead, community=project, body=f"News {n}")
    hidden = cs.post_create(acting_user=lead, community=project, body="Hidden")
    cs.post_set_hidden(acting_user=lead, post=hidden, hidden=True)

    assert _unread(client, member)[project.name] == 3
    assert "3 new" in client.get("/").text

    client.get(reverse("communities:detail", args=[project.slug]))  # read
    assert _unread(client, member)[project.name] == 0
    cs.post_create(acting_user=lead, community=project, body="One more")
    assert _unread(client, member)[project.name] == 1


def test_unread_stops_counting_at_the_cap(client, lead, project, member, monkeypatch):
    from communities import selectors

    monkeypatch.setattr(selectors, "UNREAD_CAP", 4)
    add_member(project, lead, member)
    for n in range(6):
        cs.post_create(acting_user=lead, community=project, body=f"News {n}")
    assert _unread(client, member)[project.name] == 4


def test_opening_the_feed_writes_only_when_something_is_new(
    client, lead, project, member, django_assert_num_queries
):
    add_member(project, lead, member)
    cs.post_create(acting_user=lead, community=project, body="Hello")
    client.force_login(member)
    url = reverse("communities:detail", args=[project.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]


def test_a_guest_sees_only_what_they_may_see(client, lead, project):
    guest = GuestFactory()
    add_guest(project, guest)
    other = cs.community_create(acting_user=lead, name="Board", visibility="secret")
    _event(lead, project, "Steering committee", 3)
    _event(lead, other, "Board meeting", 2)
    _event(lead, project, "Too far away", 60)
    cs.post_create(acting_user=lead, community=other, body="Board only")

    dashboard = _dashboard(client, guest)
    assert [c.name for c in dashboard.communities] == [project.name]  # not the general one
    assert [item.title for item in dashboard.events] == ["Steering committee"]
    assert dashboard.news == []  # the demo's news are not marked visible to guests
    text = client.get("/").text
    assert "Board" not in text and "Welcome to Parvis" not in text


def test_documents_awaiting_my_review(client, lead, project, member):
    add_member(project, lead, member)
    document = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", PDF),
        title="Graphic charter",
    )
    document_services.review_request_create(
        acting_user=lead,
        document=document,
        reviewers=[member],
        due_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    assert [r.request.document.title for r in _dashboard(client, member).reviews] == [
        "Graphic charter"
    ]
    assert [r.request.document.title for r in _dashboard(client, lead).reviews] == []


def test_a_visitor_sees_the_editorial_home_only(client):
    response = client.get("/")
    assert "Welcome to Parvis" in response.text and "My communities" not in response.text


def test_the_dashboard_costs_the_same_with_three_times_the_data(client, lead):
    person = UserFactory()

    def grow(n: int) -> None:
        for i in range(n):
            community = cs.community_create(acting_user=lead, name=f"C{n}-{i}")
            add_member(community, lead, person)
            for j in range(2):
                cs.post_create(acting_user=lead, community=community, body=f"Post {j}")
            _event(lead, community, f"Meeting {i}", 1 + i)

    def count() -> int:
        client.force_login(person)
        client.get("/")  # warm the site-root cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    grow(2)
    small = count()
    grow(4)
    assert count() == small
    assert small <= 20


def test_a_guest_in_no_community_is_not_told_to_find_one(client, lead):
    """A guest can never join a community by herself: her empty dashboard says who can
    bring her in instead of pointing at the community list."""
    project = cs.community_create(acting_user=lead, name="Lakeside Trails", visibility="private")
    guest = GuestFactory()
    add_guest(project, guest)
    cs.membership_leave(acting_user=guest, community=project)
    client.force_login(guest)
    home = client.get("/")
    assert "Find one" not in home.text
    assert "A community lead can invite you." in home.text


def test_what_awaits_a_guest_her_access_ending_soon(client, lead):
    """Her home says what waits for her instead of an empty box: her access that ends
    within two weeks (with its date); one that ends later is not news yet."""
    project = cs.community_create(acting_user=lead, name="Lakeside Trails", visibility="private")
    later = cs.community_create(acting_user=lead, name="Signage", visibility="private")
    guest = GuestFactory()
    add_guest(project, guest, expires_at=timezone.now() + datetime.timedelta(days=5))
    add_guest(later, guest, expires_at=timezone.now() + datetime.timedelta(days=60))

    dashboard = _dashboard(client, guest)
    assert [c.name for c in dashboard.ending] == ["Lakeside Trails"]
    text = client.get("/").text
    assert "Your access to Lakeside Trails ends on" in text
    assert "Your access to Signage" not in text
    assert "You are up to date" not in text


def test_an_invitation_to_answer_waits_on_the_home(client, lead, member):
    board = cs.community_create(acting_user=lead, name="Funders board", visibility="secret")
    cs.membership_invite(acting_user=lead, community=board, user=member)
    assert [m.community.name for m in _dashboard(client, member).invitations] == ["Funders board"]
    text = client.get("/").text
    assert "Answer the invitation to Funders board" in text
    assert reverse("communities:invitation", args=[board.slug]) in text


def test_a_members_request_to_join_waits_and_the_lead_is_told(client, lead, member):
    project = cs.community_create(acting_user=lead, name="Lakeside Trails", visibility="private")
    cs.membership_join(acting_user=member, community=project)  # a request: it is private

    assert [m.community.name for m in _dashboard(client, member).requests_sent] == [
        "Lakeside Trails"
    ]
    assert "Your request to join Lakeside Trails waits for a lead" in client.get("/").text
    lead_home = _dashboard(client, lead)
    assert [(c.name, c.pending_requests) for c in lead_home.join_requests] == [
        ("Lakeside Trails", 1)
    ]
    assert "1 person asks to join Lakeside Trails" in client.get("/").text
    # Only those who may answer are told: a plain member of the community is not.
    other = UserFactory()
    add_member(project, lead, other)
    assert _dashboard(client, other).join_requests == []


def test_the_reviews_a_lead_asked_for_and_how_many_answered(client, lead, project, member):
    add_member(project, lead, member)
    document = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", PDF),
        title="Graphic charter",
    )
    document_services.review_request_create(
        acting_user=lead,
        document=document,
        reviewers=[member, add_member(project, lead, UserFactory()).user],
        due_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    [asked] = _dashboard(client, lead).asked_reviews
    assert (asked.document.title, asked.pending, asked.decided) == ("Graphic charter", 2, 0)
    assert "0 of 2 reviewers answered" in client.get("/").text
    assert _dashboard(client, member).asked_reviews == []


def test_an_empty_dashboard_says_what_comes_there(client, member):
    client.force_login(member)
    text = client.get("/").text
    assert "You are up to date" in text
    assert "Nothing in the next month." in text


def test_a_leads_dashboard_costs_the_same_with_three_times_the_communities(client, lead):
    """The lead's boxes (join requests, the reviews she asked for, access ending soon) do
    not add a query per community."""

    def grow(n: int) -> None:
        for i in range(n):
            community = cs.community_create(
                acting_user=lead, name=f"L{n}-{i}", visibility="private"
            )
            cs.membership_join(acting_user=UserFactory(), community=community)
            add_guest(
                community, GuestFactory(), expires_at=timezone.now() + datetime.timedelta(days=3)
            )
            reviewer = UserFactory()
            add_member(community, lead, reviewer)
            document = document_services.document_create(
                acting_user=lead,
                community=community,
                upload=SimpleUploadedFile("d.pdf", PDF),
                title=f"Document {n}-{i}",
            )
            document_services.review_request_create(
                acting_user=lead,
                document=document,
                reviewers=[reviewer],
                due_on=datetime.date.today() + datetime.timedelta(days=7),
            )
            _event(lead, community, f"Meeting {n}-{i}", 1 + i)

    def count() -> int:
        client.force_login(lead)
        client.get("/")  # warm the site-root cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    grow(1)
    small = count()
    dashboard = _dashboard(client, lead)
    assert dashboard.join_requests and dashboard.asked_reviews
    grow(3)
    assert count() == small
    assert len(_dashboard(client, lead).join_requests) == 4
