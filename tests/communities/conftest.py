from communities import services as cs
from communities.models import Membership


def add_guest(community, guest, **extra):
    """A guest membership, granted through the floor's lifecycle (tests that care about the
    invitation and its sponsor invite through the guests services instead)."""
    return cs.membership_grant(
        acting_user=None, user=guest, community=community, role=Membership.Role.GUEST, **extra
    )


def add_member(community, lead, user):
    membership = cs.membership_invite(acting_user=lead, community=community, user=user)
    return cs.membership_accept(acting_user=user, membership=membership)
