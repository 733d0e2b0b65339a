import pytest

from communities import services as cs
from communities.models import Membership
from tests.factories import GuestFactory, UserFactory


def add_guest(community, guest, **extra):
    """Guest membership, written directly until the guests app invites partners."""
    return Membership.objects.create(
        user=guest,
        community=community,
        role=Membership.Role.GUEST,
        status=Membership.Status.ACTIVE,
        **extra,
    )


def add_member(community, lead, user):
    membership = cs.membership_invite(acting_user=lead, community=community, user=user)
    return cs.membership_accept(acting_user=user, membership=membership)


@pytest.fixture
def lead(db):
    return UserFactory(display_name="Lea Lead")


@pytest.fixture
def project(lead):
    return cs.community_create(
        acting_user=lead, name="Lakeside Trails", visibility="private", kind="project"
    )


@pytest.fixture
def partner(project):
    guest = GuestFactory(display_name="Paula Partner")
    add_guest(project, guest)
    return guest
