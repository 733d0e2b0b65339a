import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities import permissions as p
from communities import services as cs
from communities.models import Community, Membership
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    p.forget_roles(user)
    return user


def test_roles_map_to_permissions(lead, project, partner):
    member = UserFactory()
    add_member(project, lead, member)
    assert p.permissions_for(lead, project) >= {p.VIEW, p.POST, p.MODERATE, p.MANAGE_MEMBERS}
    assert p.permissions_for(member, project) == {
        p.SEE,
        p.VIEW,
        p.POST,
        p.COMMENT,
        p.REACT,
        p.LEAVE,
        p.RSVP,
    }
    assert p.permissions_for(partner, project) == {
        p.SEE,
        p.VIEW,
        p.COMMENT,
        p.REACT,
        p.LEAVE,
        p.RSVP,
    }
    outsider = UserFactory()
    assert p.permissions_for(outsider, project) == {p.SEE, p.REQUEST}


def test_django_has_perm_is_answered_by_the_policy(lead, project, partner):
    post = cs.post_create(acting_user=lead, community=project, body="Hello")
    assert partner.has_perm(p.VIEW, project)
    assert partner.has_perm(p.COMMENT, post)  # objects with a community
    assert not partner.has_perm(p.POST, project)
    assert not UserFactory().has_perm(p.VIEW, post)


def test_expired_or_inactive_memberships_grant_nothing(project):
    guest = GuestFactory()
    membership = add_guest(project, guest, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert p.can(fresh(guest), p.VIEW, project)
    membership.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    membership.save()
    assert not p.can(fresh(guest), p.VIEW, project)
    membership.expires_at = None
    for status in ("requested", "invited", "removed", "left"):
        membership.status = status
        membership.save()
        assert p.permissions_for(fresh(guest), project) == frozenset()


def test_guests_see_nothing_outside_their_communities(lead, partner):
    open_ = cs.community_create(acting_user=lead, name="Open", visibility="open")
    assert p.permissions_for(partner, open_) == frozenset()
    general = cs.general_community()
    assert p.permissions_for(partner, general) == frozenset()
    assert not p.can_create_community(partner)
    assert list(p.filter(partner, p.SEE, Community.objects.all())) == [
        Membership.objects.get(user=partner).community
    ]


def test_secret_communities_are_invisible_to_outsiders(lead):
    secret = cs.community_create(acting_user=lead, name="Board", visibility="secret")
    outsider = UserFactory()
    assert p.permissions_for(outsider, secret) == frozenset()
    assert secret not in p.filter(outsider, p.SEE, Community.objects.all())
    assert secret in p.filter(lead, p.SEE, Community.objects.all())


def test_archived_community_is_read_only(lead, project, partner):
    cs.community_archive(acting_user=lead, community=project)
    # The lead can still restore it, and review and end guests' access there.
    assert p.permissions_for(fresh(lead), project) == {p.SEE, p.VIEW, p.MANAGE, p.REVIEW_ACCESS}
    assert p.permissions_for(fresh(partner), project) == {p.SEE, p.VIEW}


def test_every_internal_account_is_in_the_general_community_and_guests_never():
    member = UserFactory()
    guest = GuestFactory()
    general = Community.objects.get(is_general=True)
    assert Membership.objects.filter(user=member, community=general, status="active").exists()
    assert not Membership.objects.filter(user=guest, community=general).exists()
    assert p.LEAVE not in p.permissions_for(member, general)


def test_roles_are_loaded_once_per_request(lead, project, django_assert_num_queries):
    others = [cs.community_create(acting_user=lead, name=f"C{n}") for n in range(5)]
    fresh(lead)
    with django_assert_num_queries(1):
        for community in [project, *others]:
            assert p.can(lead, p.MODERATE, community)


ALL_PERMS = (
    p.SEE, p.VIEW, p.POST, p.COMMENT, p.REACT, p.JOIN, p.REQUEST, p.LEAVE, p.MODERATE,
    p.MANAGE_MEMBERS, p.REVIEW_ACCESS, p.MANAGE, p.RSVP, p.ADD_EVENT, p.MANAGE_EVENTS,
)  # fmt: skip


def test_the_policys_two_forms_agree(lead):
    """``can`` (one community) and ``permission_q`` (a queryset) agree for every role ×
    visibility × archived state × permission."""
    member, guest, outsider = UserFactory(), GuestFactory(), UserFactory()
    admin, admin_member = (UserFactory(is_superuser=True, is_staff=True) for _ in range(2))
    communities = [cs.general_community()]
    for visibility in ("open", "private", "secret"):
        for archived in (False, True):
            for members_add_events in (False, True):
                community = cs.community_create(
                    acting_user=lead,
                    name=f"{visibility} {archived} {members_add_events}",
                    visibility=visibility,
                )
                community.members_add_events = members_add_events
                community.save(update_fields=["members_add_events"])
                add_member(community, lead, member)
                add_member(community, lead, admin_member)
                add_guest(community, guest)
                if archived:
                    cs.community_archive(acting_user=lead, community=community)
                communities.append(Community.objects.get(pk=community.pk))
    ids = [c.pk for c in communities]
    for person in (lead, member, guest, outsider, admin, admin_member, None):
        user = fresh(person) if person is not None else AnonymousUser()
        for perm in ALL_PERMS:
            listed = set(
                Community.objects.filter(
                    p.permission_q(user, perm, prefix=""), pk__in=ids
                ).values_list("pk", flat=True)
            )
            expected = {c.pk for c in communities if p.can(user, perm, c)}
            assert listed == expected, (person, perm)
