"""Guest management rules live once, in guests/permissions.py, registered into the one
policy: the access report offers exactly what the services accept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from communities import permissions
from communities.models import Membership
from guests import permissions as rules
from guests import selectors
from guests import services as gs
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(lead, project):
    sponsor = UserFactory(display_name="Sofia Sponsor")  # a member, not a lead
    colleague = UserFactory(display_name="Colin Colleague")
    add_member(project, lead, sponsor)
    add_member(project, lead, colleague)
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project], sponsor=sponsor
    )
    julie = GuestFactory(email="julie@funder.example", display_name="Julie Roux")
    gs.invitation_accept(invitation=invitation, user=julie)
    access = Membership.objects.select_related("sponsorship", "community").get(
        user=julie, community=project
    )
    return {"sponsor": sponsor, "colleague": colleague, "julie": julie, "access": access}


def test_sponsor_or_member_manager_manages_a_guest_and_nobody_else(
    client, lead, project, staff, people
):
    access, julie = people["access"], people["julie"]
    expected = {
        lead: True,
        staff: True,  # an administrator manages every community's members
        people["sponsor"]: True,
        people["colleague"]: False,
        julie: False,
    }
    until = timezone.localdate() + datetime.timedelta(days=30)
    for user, allowed in expected.items():
        assert permissions.can(user, rules.MANAGE_GUEST, access) is allowed, user
        if user != julie and user != people["colleague"]:
            report = selectors.guest_report(viewer=user, guest_id=julie.pk)
            assert (access.pk in report.manageable) is allowed
        if not allowed:
            with pytest.raises(PermissionDenied):
                gs.guest_extend(acting_user=user, membership=access, until=until)
    gs.guest_extend(acting_user=people["sponsor"], membership=access, until=until)
    # A member's membership is nobody's to manage as a guest's.
    colleague_membership = Membership.objects.get(user=people["colleague"], community=project)
    assert not permissions.can(lead, rules.MANAGE_GUEST, colleague_membership)
    # The guest's own page links to her report: the menu asks the policy.
    client.force_login(julie)
    assert reverse("guests:my_access") in client.get(reverse("communities:list")).text
    client.force_login(lead)
    assert reverse("guests:my_access") not in client.get(reverse("communities:list")).text


def test_who_manages_an_invitation(lead, project, staff, people):
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="new@partner.example", communities=[project]
    )
    assert permissions.can(lead, rules.MANAGE_INVITATION, invitation)
    assert permissions.can(staff, rules.MANAGE_INVITATION, invitation)
    assert not permissions.can(people["colleague"], rules.MANAGE_INVITATION, invitation)
    with pytest.raises(PermissionDenied):
        gs.invitation_revoke(acting_user=people["colleague"], invitation=invitation)
    gs.invitation_revoke(acting_user=staff, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_a_sponsor_who_is_not_a_lead_opens_the_report_her_reminder_links_to(client, people):
    """The ending-soon and access-ended e-mails send the sponsor to the guest's report, and
    the services let her extend or end the access; the report answered her 404."""
    access, julie = people["access"], people["julie"]
    client.force_login(people["sponsor"])
    page = client.get(reverse("guests:guest", args=[julie.pk]))
    assert page.status_code == 200
    assert access.community.name in page.text
    end = reverse("guests:guest_access", args=[julie.pk, access.pk, "end"])
    client.post(end)
    access.refresh_from_db()
    assert access.status == Membership.Status.ENDED
    client.force_login(people["colleague"])
    assert client.get(reverse("guests:guest", args=[julie.pk])).status_code == 404
