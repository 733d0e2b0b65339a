"""The floor's object rules (promote, demote, remove a member; archive) answered by the one
policy, the members page showing the flags it computed, and the registry upper apps use."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import permissions
from communities import services as cs
from communities.models import Membership
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _row(page_text: str, membership: Membership) -> dict[str, bool]:
    """Which member actions the members page offers on ``membership``'s row."""
    base = f"/communities/{membership.community.slug}/members/{membership.pk}/"
    return {
        action: f'action="{base}{action}/"' in page_text or f'href="{base}{action}/"' in page_text
        for action in ("promote", "demote", "remove")
    }


def test_member_actions_follow_the_policy(lead, project, partner):
    colleague = UserFactory(display_name="Colin Colleague")
    second = UserFactory(display_name="Sam Second")
    as_member = add_member(project, lead, colleague)
    as_lead = add_member(project, lead, second)
    cs.membership_set_role(acting_user=lead, membership=as_lead, role=Membership.Role.LEAD)
    own = Membership.objects.get(user=lead, community=project)
    as_guest = Membership.objects.get(user=partner, community=project)

    def allowed(user, membership):
        membership.refresh_from_db()
        return {
            "promote": permissions.can(user, permissions.PROMOTE_MEMBER, membership),
            "demote": permissions.can(user, permissions.DEMOTE_MEMBER, membership),
            "remove": permissions.can(user, permissions.REMOVE_MEMBER, membership),
        }

    assert allowed(lead, as_member) == {"promote": True, "demote": False, "remove": True}
    assert allowed(lead, as_lead) == {"promote": False, "demote": True, "remove": True}
    assert allowed(lead, as_guest) == {"promote": False, "demote": False, "remove": True}
    # One's own membership changes by leaving, and a plain member manages nobody.
    assert allowed(lead, own) == {"promote": False, "demote": False, "remove": False}
    assert allowed(colleague, own) == {"promote": False, "demote": False, "remove": False}
    # The same answers through Django's has_perm (the policy's backend).
    assert lead.has_perm(permissions.PROMOTE_MEMBER, as_member)
    assert not colleague.has_perm(permissions.REMOVE_MEMBER, as_lead)


def test_the_members_page_shows_the_flags_the_policy_computed(client, lead, project, partner):
    colleague = UserFactory(display_name="Colin Colleague")
    as_member = add_member(project, lead, colleague)
    own = Membership.objects.get(user=lead, community=project)
    as_guest = Membership.objects.get(user=partner, community=project)
    client.force_login(lead)
    page = client.get(reverse("communities:members", args=[project.slug])).text
    assert _row(page, as_member) == {"promote": True, "demote": False, "remove": True}
    assert _row(page, as_guest) == {"promote": False, "demote": False, "remove": True}
    assert _row(page, own) == {"promote": False, "demote": False, "remove": False}
    client.force_login(colleague)
    page = client.get(reverse("communities:members", args=[project.slug])).text
    assert not any(_row(page, as_member).values()) and not any(_row(page, own).values())


def test_nobody_is_removed_from_the_general_community(client, lead, member):
    general = cs.general_community()
    lead_there = Membership.objects.get(user=lead, community=general)
    lead_there.role = Membership.Role.LEAD
    lead_there.save(update_fields=["role"])
    permissions.forget_roles(lead)
    membership = Membership.objects.get(user=member, community=general)
    assert not permissions.can(lead, permissions.REMOVE_MEMBER, membership)
    assert permissions.can(lead, permissions.PROMOTE_MEMBER, membership)
    client.force_login(lead)
    page = client.get(reverse("communities:members", args=[general.slug])).text
    assert _row(page, membership) == {"promote": True, "demote": False, "remove": False}
    # Nor asked to confirm a removal the service would refuse.
    url = reverse("communities:member_action", args=[general.slug, membership.pk, "remove"])
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError):
        cs.membership_remove(acting_user=lead, membership=membership)


def test_a_lead_cannot_remove_or_demote_herself_through_the_members_actions(client, lead, project):
    """The page never offered it, but the address took it: a lead who removed herself was
    marked removed and could not join again ("a lead removed you"). Leaving is the way."""
    second = UserFactory(display_name="Sam Second")
    other = add_member(project, lead, second)
    cs.membership_set_role(acting_user=lead, membership=other, role=Membership.Role.LEAD)
    own = Membership.objects.get(user=lead, community=project)
    client.force_login(lead)
    for action in ("demote", "remove"):
        url = reverse("communities:member_action", args=[project.slug, own.pk, action])
        assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404  # no confirmation page either
    own.refresh_from_db()
    assert (own.role, own.status) == (Membership.Role.LEAD, Membership.Status.ACTIVE)
    with pytest.raises(PermissionDenied):
        cs.membership_remove(acting_user=lead, membership=own)
    # Leaving still works, and the other lead still manages her.
    cs.membership_set_role(acting_user=second, membership=own, role=Membership.Role.MEMBER)
    own.refresh_from_db()
    assert own.role == Membership.Role.MEMBER


def test_the_members_page_costs_the_same_queries_with_three_times_the_members(
    client, lead, project
):
    def count() -> int:
        client.force_login(lead)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("communities:members", args=[project.slug])).status_code == 200
            )
        return len(queries)

    for n in range(3):
        add_member(project, lead, UserFactory(display_name=f"Small {n}"))
    small = count()
    for n in range(6):
        add_member(project, lead, UserFactory(display_name=f"Large {n}"))
    assert count() == small


def test_the_archive_button_follows_the_policy(client, lead, project, staff):
    assert permissions.can(lead, permissions.ARCHIVE, project)
    assert not permissions.can(staff, permissions.ARCHIVE, cs.general_community())
    client.force_login(staff)
    general = client.get(reverse("communities:detail", args=[cs.general_community().slug]))
    assert general.context["can_archive"] is False
    assert reverse("communities:archive", args=["general"]) not in general.text
    client.force_login(lead)
    page = client.get(reverse("communities:detail", args=[project.slug]))
    assert reverse("communities:archive", args=[project.slug]) in page.text


def test_a_rule_name_is_answered_by_one_rule():
    def rule(user, obj):
        return True

    with pytest.raises(ValueError):
        permissions.register_rule(permissions.PROMOTE_MEMBER, rule)
    permissions.register_rule(permissions.PROMOTE_MEMBER, permissions.can_promote_member)
    # The upper apps registered theirs when Django started.
    assert {"documents.decide_review", "guests.manage_guest"} <= permissions.registered_rules()
