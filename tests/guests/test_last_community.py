"""A guest never gets offered what she cannot do (find or join communities), and one who
leaves her last community keeps her account and is told how to come back (README, Guests)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from communities import services as cs
from communities.models import Membership
from guests import services as gs
from portal import demo
from tests.communities.conftest import add_guest
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

COME_BACK = "You are in no community at the moment. A community lead can invite you."


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.seed_pages()


@pytest.fixture
def marc(project):
    person = GuestFactory(display_name="Marc Blanc")
    add_guest(project, person)
    Membership.objects.filter(user=person).update(
        expires_at=timezone.now() + datetime.timedelta(days=90)
    )
    return person


def test_a_guests_feed_never_offers_to_find_or_join_communities(client, marc, project):
    client.force_login(marc)
    feed = client.get(reverse("communities:feed")).text
    assert "Find more communities" not in feed
    assert "join a community" not in feed
    assert "Nothing yet: write the first post in one of your communities." in feed


def test_a_members_feed_still_offers_to_find_communities(client, lead, project):
    client.force_login(lead)
    feed = client.get(reverse("communities:feed")).text
    assert "Find more communities" in feed
    assert "Nothing yet: join a community or write the first post." in feed


def test_a_guest_who_leaves_her_last_community_keeps_her_account_and_is_told_why(
    client, marc, project
):
    client.force_login(marc)
    response = client.post(reverse("communities:leave", args=[project.slug]), follow=True)
    marc.refresh_from_db()
    assert marc.is_active  # she stays an account that a new invitation brings back
    assert response.redirect_chain[-1][0] == "/"
    assert "You are in no community any more" in response.text
    assert COME_BACK in response.text
    assert "Find one" not in response.text
    feed = client.get(reverse("communities:feed")).text
    assert COME_BACK in feed and "join a community" not in feed
    assert COME_BACK in client.get(reverse("communities:list")).text
    # "My access": the row of what ended shows when it ended, not the date it was granted to
    report = client.get(reverse("guests:my_access"), follow=True)
    [membership] = report.context["report"].memberships
    assert membership.access_ends <= timezone.now()
    future = (timezone.localdate() + datetime.timedelta(days=90)).strftime("%Y-%m-%d")
    assert future not in report.text


def test_a_new_invitation_brings_her_back(client, lead, marc, project):
    cs.membership_leave(acting_user=marc, community=project)
    invitation, _token = gs.invitation_create(
        acting_user=lead, email=marc.email, communities=[project]
    )
    gs.invitation_accept(invitation=invitation, user=marc, digest_consent=False)
    client.force_login(marc)
    assert client.get(reverse("communities:detail", args=[project.slug])).status_code == 200


def test_the_admin_list_of_guests_shows_when_a_left_access_ended(client, marc, project):
    future = Membership.objects.get(user=marc, community=project).expires_at
    assert future is not None and future > timezone.now()
    cs.membership_leave(acting_user=marc, community=project)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin_guests:index")).text
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert today in page
    assert formats.date_format(timezone.localtime(future).date(), "DATE_FORMAT") not in page
