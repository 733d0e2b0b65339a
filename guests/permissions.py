"""Who may manage invitations and guests' access: the guests app's object rules.

Built only on the community policy and registered into it from ``GuestsConfig.ready()``;
callers ask ``permissions.can(user, guests.permissions.MANAGE_GUEST, membership)``.
"""

from __future__ import annotations

from typing import Any

from communities import permissions

MANAGE_GUEST = "guests.manage_guest"  # see and end one guest membership
EXTEND_GUEST = "guests.extend_guest"  # extend (or shorten) one guest membership's end date
MANAGE_INVITATION = "guests.manage_invitation"  # resend or revoke one invitation


def sponsor_id(membership: Any) -> int | None:
    sponsorship = getattr(membership, "sponsorship", None)  # absent: AttributeError → None
    return getattr(sponsorship, "sponsor_id", None)


def _sponsor_or(user: Any, membership: Any, perm: str) -> bool:
    """The guest's sponsor, while the community's state allows ``perm`` at all, or whoever
    holds ``perm`` in the community."""
    if not (permissions.is_signed_in(user) and permissions.is_guest_membership(membership)):
        return False
    community = membership.community
    if sponsor_id(membership) == user.pk and permissions.state_allows(community, perm):
        return True
    return permissions.can(user, perm, community)


def can_manage_guest(user: Any, membership: Any) -> bool:
    """A guest's sponsor, or whoever may review the community's access (its leads and
    administrators, who keep that in an archived community), sees and ends the guest's
    access there."""
    return _sponsor_or(user, membership, permissions.REVIEW_ACCESS)


def can_extend_guest(user: Any, membership: Any) -> bool:
    """A guest's sponsor, or whoever manages the community's members, extends the guest's
    access; nobody does in an archived community, the sponsor included."""
    return _sponsor_or(user, membership, permissions.MANAGE_MEMBERS)


def can_manage_invitation(user: Any, invitation: Any) -> bool:
    """Its author, an administrator, or whoever manages the members of one of the
    communities it invites into."""
    if not permissions.is_signed_in(user):
        return False
    if permissions.is_administrator(user) or invitation.invited_by_id == user.pk:
        return True
    return any(
        permissions.can(user, permissions.MANAGE_MEMBERS, community)
        for community in invitation.communities.all()
    )


RULES = {
    MANAGE_GUEST: can_manage_guest,
    EXTEND_GUEST: can_extend_guest,
    MANAGE_INVITATION: can_manage_invitation,
}


def register() -> None:
    """Called from ``GuestsConfig.ready()``."""
    for name, rule in RULES.items():
        permissions.register_rule(name, rule)
