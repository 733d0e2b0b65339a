"""Who may manage invitations and guests' access: the guests app's object rules.

Built only on the community policy and registered into it from ``GuestsConfig.ready()``;
callers ask ``permissions.can(user, guests.permissions.MANAGE_GUEST, membership)``.
"""

from __future__ import annotations

from typing import Any

from communities import permissions

MANAGE_GUEST = "guests.manage_guest"  # see, extend and end one guest membership
MANAGE_INVITATION = "guests.manage_invitation"  # resend or revoke one invitation


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sponsor_id(membership: Any) -> int | None:
    sponsorship = getattr(membership, "sponsorship", None)  # absent: AttributeError → None
    return getattr(sponsorship, "sponsor_id", None)


def can_manage_guest(user: Any, membership: Any) -> bool:
    """A guest's sponsor, or whoever manages the community's members, extends or ends the
    guest's access there."""
    return (
        _signed_in(user)
        and permissions.is_guest_membership(membership)
        and (
            sponsor_id(membership) == user.pk
            or permissions.can(user, permissions.MANAGE_MEMBERS, membership.community)
        )
    )


def can_manage_invitation(user: Any, invitation: Any) -> bool:
    """Its author, an administrator, or whoever manages the members of one of the
    communities it invites into."""
    if not _signed_in(user):
        return False
    if permissions.is_administrator(user) or invitation.invited_by_id == user.pk:
        return True
    return any(
        permissions.can(user, permissions.MANAGE_MEMBERS, community)
        for community in invitation.communities.all()
    )


RULES = {MANAGE_GUEST: can_manage_guest, MANAGE_INVITATION: can_manage_invitation}


def register() -> None:
    """Called from ``GuestsConfig.ready()``."""
    for name, rule in RULES.items():
        permissions.register_rule(name, rule)
