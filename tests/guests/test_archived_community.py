"""After a community is archived, its leads and the administrators still see its guests and
can end their access (REVIEW_ACCESS), but nobody invites or extends there any more."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from communities import services as cs
from communities.models import Membership
from guests import services
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def julie(lead, project):
    invitation, _token = services.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project]
    )
    guest = GuestFactory(email="julie@funder.example", display_name="Julie Roux")
    services.invitation_accept(invitation=invitation, user=guest)
    return guest


@pytest.fixture
def archived(lead, project, julie):
    cs.community_archive(acting_user=lead, community=project)
    return project


def test_the_lead_still_sees_the_guests_of_an_archived_community(client, lead, archived, julie):
    client.force_login(lead)
    members = client.get(reverse("communities:members", args=[archived.slug]))
    guests_url = reverse("guests:community_guests", args=[archived.slug])
    assert f'href="{guests_url}"' in members.text
    assert reverse("guests:invite") not in members.text  # no more invitations there
    page = client.get(guests_url)
    assert page.status_code == 200
    assert "Julie Roux" in page.text
    assert reverse("guests:invite") not in page.text
    report = client.get(reverse("guests:guest", args=[julie.pk]))
    assert report.status_code == 200
    assert archived.name in report.text


def test_the_lead_can_end_but_not_extend_a_guests_access_there(client, lead, archived, julie):
    membership = Membership.objects.get(user=julie, community=archived)
    end = reverse("guests:guest_access", args=[julie.pk, membership.pk, "end"])
    extend = reverse("guests:guest_access", args=[julie.pk, membership.pk, "extend"])
    client.force_login(lead)
    report = client.get(reverse("guests:guest", args=[julie.pk])).text
    assert f'href="{end}"' in report
    assert extend not in report
    until = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    assert client.post(extend, {"until": until}).status_code == 404
    membership.refresh_from_db()
    assert membership.expires_at < timezone.now() + datetime.timedelta(days=100)
    assert client.get(end).status_code == 200  # the confirmation
    client.post(end)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED


def test_nobody_invites_or_extends_in_an_archived_community(lead, staff, archived, julie):
    membership = Membership.objects.get(user=julie, community=archived)
    for person in (lead, staff):
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                acting_user=person, email="new@funder.example", communities=[archived]
            )
        with pytest.raises(PermissionDenied):
            services.guest_extend(
                acting_user=person,
                membership=membership,
                until=timezone.localdate() + datetime.timedelta(days=30),
            )
    services.guest_end(acting_user=staff, membership=membership)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED


def test_members_of_an_archived_community_still_do_not_see_its_guests(
    client, lead, archived, julie
):
    member = UserFactory()
    cs.community_restore(acting_user=lead, community=archived)
    invited = cs.membership_invite(acting_user=lead, community=archived, user=member)
    cs.membership_accept(acting_user=member, membership=invited)
    cs.community_archive(acting_user=lead, community=archived)
    client.force_login(member)
    assert client.get(reverse("guests:community_guests", args=[archived.slug])).status_code == 404
    assert client.get(reverse("guests:guest", args=[julie.pk])).status_code == 404
