"""Guests: invitations from the lead's form to the partner's first page, and the lifecycle."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from communities import permissions
from communities.models import Community, Membership
from communities.services import LOG_END, membership_grant
from guests import services
from guests.models import Invitation
from portal.accounts.models import User
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(lead, project, email="paula@funder.example", **extra):
    return services.invitation_create(acting_user=lead, email=email, communities=[project], **extra)


def link_from_mail() -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/invite/\S+/)", mail.outbox[-1].body).group(1)


def test_invitation_is_mailed_and_its_token_stored_hashed(
    lead, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(lead, project, message="Your remarks are welcome")
    assert invitation.token_hash != token and token not in invitation.token_hash
    assert services.invitation_for_token(token) == invitation
    assert mail.outbox[-1].to == ["paula@funder.example"]
    assert "Your remarks are welcome" in mail.outbox[-1].body
    assert link_from_mail() == f"/invite/{token}/"
    assert invitation.access_ends_on == timezone.localdate() + datetime.timedelta(days=90)
    assert ModelLogEntry.objects.filter(action="guests.invite").count() == 1


def test_invitations_are_refused_with_a_reason(lead, project):
    with pytest.raises(ValidationError, match="internal address"):
        invite(lead, project, email="colleague@parvis.example")
    with pytest.raises(ValidationError, match="partners are invited as guests"):
        invite(lead, project, email="x@funder.example", role="member")
    stranger_community = Community.objects.create(name="Other", slug="other")
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            acting_user=lead, email="x@funder.example", communities=[stranger_community]
        )
    assert not Invitation.objects.exists()


def test_new_partner_signs_up_through_the_link_and_sees_only_that_community(
    client, lead, project, django_capture_on_commit_callbacks
):
    other = Community.objects.create(name="Open stuff", slug="open-stuff", visibility="open")
    with django_capture_on_commit_callbacks(execute=True):
        invite(lead, project, name="Paula Partner", organisation="Funder")
    link = link_from_mail()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("account_signup")
    )
    # another address than the invited one is refused
    wrong = client.post(
        reverse("account_signup"),
        {
            "email": "someone@else.example",
            "password1": "Pa-ss-w0rd-123",
            "password2": "Pa-ss-w0rd-123",
        },
    )
    assert "This invitation is for paula@funder.example" in wrong.text
    response = client.post(
        reverse("account_signup"),
        {
            "email": "paula@funder.example",
            "password1": "Pa-ss-w0rd-123",
            "password2": "Pa-ss-w0rd-123",
        },
    )
    assert response.status_code == 302
    paula = User.objects.get(email="paula@funder.example")
    assert paula.is_external and paula.display_name == "Paula Partner"
    assert client.session["_auth_user_id"] == str(paula.pk)  # no verification mail needed
    membership = Membership.objects.get(user=paula)
    assert (membership.community, membership.role, membership.status) == (
        project,
        "guest",
        "active",
    )
    assert membership.sponsorship.sponsor == lead
    assert client.get(reverse("communities:detail", args=[project.slug])).status_code == 200
    assert client.get(reverse("communities:detail", args=[other.slug])).status_code == 404
    assert client.get(reverse("communities:detail", args=["general"])).status_code == 404
    # the link works once
    client.post(reverse("account_logout"))
    assert client.get(link).status_code == 410


def test_existing_partner_signs_in_and_accepts(client, lead, project):
    partner = GuestFactory(email="known@funder.example")
    _invitation, token = invite(lead, project, email="known@funder.example")
    page = client.get(f"/invite/{token}/")
    assert "Sign in to accept" in page.text
    client.force_login(partner)
    client.post(f"/invite/{token}/")
    assert permissions.can(partner, permissions.VIEW, project)


@pytest.mark.parametrize("case", ["tampered", "revoked", "resent", "expired", "other_account"])
def test_bad_links_show_a_clear_page_and_grant_nothing(client, lead, project, case):
    invitation, token = invite(lead, project)
    expected = 404
    if case == "tampered":
        token = token[:-3] + "xyz"
    elif case == "revoked":
        services.invitation_revoke(acting_user=lead, invitation=invitation)
    elif case == "resent":
        services.invitation_resend(acting_user=lead, invitation=invitation)  # old link dies
    elif case == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        expected = 410
    else:
        client.force_login(UserFactory())
        expected = 403
    response = client.get(f"/invite/{token}/")
    assert response.status_code == expected
    response = client.post(f"/invite/{token}/")
    assert not Membership.objects.filter(community=project, role="guest").exists()


def test_access_ends_at_the_end_date_and_the_sponsor_is_reminded_once(
    lead, project, django_capture_on_commit_callbacks
):
    partner = GuestFactory()
    invitation, _token = invite(
        lead,
        project,
        email=partner.email,
        access_ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    services.invitation_accept(invitation=invitation, user=partner)
    assert permissions.can(partner, permissions.VIEW, project)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.guests_remind() == 1
    assert mail.outbox[-1].to == [lead.email]
    assert "ends on" in mail.outbox[-1].subject
    assert services.guests_remind() == 0  # once per end date
    membership = Membership.objects.get(user=partner)
    services.guest_extend(
        acting_user=lead,
        membership=membership,
        until=timezone.localdate() + datetime.timedelta(days=60),
    )
    assert services.guests_remind() == 0  # far away again
    # the end date passes: no access on the next request, before any job runs
    Membership.objects.filter(pk=membership.pk).update(expires_at=timezone.now())
    permissions.forget_roles(partner)
    assert not permissions.can(partner, permissions.VIEW, project)
    assert services.guests_tidy() == 1
    partner.refresh_from_db()
    assert not partner.is_active  # no community left
    # a new invitation brings the account back
    again, _token = invite(lead, project, email=partner.email)
    services.invitation_accept(invitation=again, user=partner)
    partner.refresh_from_db()
    assert partner.is_active


def test_lead_ends_a_guest_at_once(client, lead, project):
    partner = GuestFactory()
    invitation, _token = invite(lead, project, email=partner.email)
    services.invitation_accept(invitation=invitation, user=partner)
    client.force_login(partner)
    assert client.get(reverse("communities:detail", args=[project.slug])).status_code == 200
    membership = Membership.objects.get(user=partner)
    services.guest_end(acting_user=lead, membership=membership)
    assert client.get(reverse("communities:feed")).status_code in (200, 302)
    partner.refresh_from_db()
    assert not partner.is_active
    assert ModelLogEntry.objects.filter(action=LOG_END, data__reason="ended").exists()


def test_who_can_see_what_report_and_csv(client, lead, project):
    partner = GuestFactory(display_name="Paula Partner", organisation="Funder")
    invitation, _token = invite(lead, project, email=partner.email)
    services.invitation_accept(invitation=invitation, user=partner)
    url = reverse("guests:guest", args=[partner.pk])
    client.force_login(lead)
    page = client.get(url)
    assert project.name in page.text and lead.name in page.text
    assert "Communities this guest can see" in page.text
    csv_text = client.get(url, {"format": "csv"}).content.decode()
    assert "Paula Partner" in csv_text and project.name in csv_text
    by_org = client.get(reverse("guests:community_guests", args=[project.slug]))
    assert "Funder" in by_org.text and "Paula Partner" in by_org.text
    client.force_login(partner)
    assert client.get(reverse("guests:my_access"))["Location"] == url
    own = client.get(url)
    assert own.status_code == 200
    # Her own page speaks to her, not about her.
    assert "My access" in own.text and "Communities you can see" in own.text
    assert "this guest" not in own.text
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_a_deactivated_former_guest_comes_back_through_a_new_link(client, lead, project):
    partner = GuestFactory(email="back@funder.example")
    partner.is_active = False
    partner.save()
    _invitation, token = invite(lead, project, email="back@funder.example")
    page = client.get(f"/invite/{token}/")
    assert "Welcome back" in page.text
    response = client.post(f"/invite/{token}/")
    assert response["Location"].startswith(reverse("account_login"))
    partner.refresh_from_db()
    assert partner.is_active
    assert permissions.can(partner, permissions.VIEW, project)
    assert "_auth_user_id" not in client.session  # they still sign in themselves


def test_the_invitation_landing_pages_say_who_invites_where_and_why(client, lead, project):
    """A new person lands on the sign-up page, a known one on the sign-in page: both say who
    invites them, into which communities, with the personal message."""
    second = Community.objects.create(name="Riverside Walks", slug="riverside")
    membership_grant(acting_user=None, user=lead, community=second, role="lead")
    message = "Hello Paula,\nyour remarks on the charter are welcome."
    _invitation, token = services.invitation_create(
        acting_user=lead,
        email="paula@funder.example",
        communities=[project, second],
        message=message,
    )
    page = client.get(f"/invite/{token}/", follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_signup"))
    for text in ("Lea Lead invites you to", "Lakeside Trails", "Riverside Walks"):
        assert text in page.text
    assert "Hello Paula,<br>your remarks on the charter are welcome." in page.text

    GuestFactory(email="known@funder.example")
    _invitation, token = services.invitation_create(
        acting_user=lead, email="known@funder.example", communities=[project], message="Welcome!"
    )
    page = client.get(f"/invite/{token}/")
    assert "Sign in to accept" in page.text
    for text in ("Lea Lead invites you to", "Lakeside Trails", "Welcome!"):
        assert text in page.text


def test_new_partner_keeps_the_language_chosen_on_the_invitation_page(
    client, lead, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(lead, project, name="Nadia Partner")
    client.get(link_from_mail())
    client.post(reverse("accounts:set_language"), {"language": "fr", "next": "/"})
    client.post(
        reverse("account_signup"),
        {
            "email": "paula@funder.example",
            "password1": "Pa-ss-w0rd-123",
            "password2": "Pa-ss-w0rd-123",
        },
    )
    assert User.objects.get(email="paula@funder.example").language == "fr"
    page = client.get(reverse("communities:detail", args=[project.slug]))
    assert 'lang="fr"' in page.text


def test_an_ended_access_has_one_name_in_the_report_the_csv_and_the_admin(
    client, lead, project, settings
):
    """Ended, expired, removed or left: one name each, the same on the guest's report, in
    its CSV and in the admin's list of guests, and none of them among what the guest can
    see."""
    partner = GuestFactory(display_name="Paula Partner")
    second = Community.objects.create(name="Riverside Walks", slug="riverside")
    membership_grant(acting_user=None, user=lead, community=second, role="lead")
    for community in (project, second):
        invitation, _token = invite(lead, community, email=partner.email)
        services.invitation_accept(invitation=invitation, user=partner)
    services.guest_end(
        acting_user=lead, membership=Membership.objects.get(user=partner, community=project)
    )
    ended = Membership.objects.get(user=partner, community=project)
    assert ended.status == "ended"
    url = reverse("guests:guest", args=[partner.pk])
    client.force_login(lead)
    page = client.get(url).text
    seen, rest = page.split('id="ended-heading"')
    assert "Riverside Walks" in seen and project.name not in seen
    assert project.name in rest and "Access ended" in rest
    assert "no access" not in page
    csv_text = client.get(url, {"format": "csv"}).content.decode()
    assert "Access ended" in csv_text and "removed" not in csv_text
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    cells = re.findall(r"<td >\s*([^<]+?)\s*</td>", client.get(reverse("admin_guests:index")).text)
    assert "Access ended" in cells and "Removed" not in cells
    # The same names in French.
    admin.language = lead.language = "fr"
    admin.save(update_fields=["language"])
    lead.save(update_fields=["language"])
    cells = re.findall(r"<td >\s*([^<]+?)\s*</td>", client.get(reverse("admin_guests:index")).text)
    assert "Accès terminé" in cells
    client.force_login(lead)
    page = client.get(url).text
    assert "Accès terminé" in page and "Terminés" in page
    assert "Accès terminé" in client.get(url, {"format": "csv"}).content.decode()
