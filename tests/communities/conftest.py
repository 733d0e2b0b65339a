from communities import services as cs
from communities.models import Membership


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
