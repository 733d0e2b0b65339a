"""Reads about invitations and guests, filtered by who asks (404 for what is not theirs)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from communities import permissions
from communities.access import Grant, explicit_grants
from communities.models import Community, Membership
from guests import permissions as rules
from guests.models import Invitation

User = get_user_model()


def communities_led_by(user: Any) -> QuerySet[Community]:
    """Communities ``user`` may invite into (the policy's MANAGE_MEMBERS: their leads, and
    administrators; never an archived one). Nobody is invited into the general community."""
    return permissions.filter(
        user, permissions.MANAGE_MEMBERS, Community.objects.filter(is_general=False)
    )


def invitations_managed_by(user: Any) -> QuerySet[Invitation]:
    """The invitations ``user`` may resend or revoke: administrators all of them, others
    those they sent and those into a community where they manage members."""
    invitations = Invitation.objects.all()
    if not permissions.is_administrator(user):
        into_managed = permissions.filter(
            user,
            permissions.MANAGE_MEMBERS,
            Invitation.communities.through.objects.filter(invitation=OuterRef("pk")),
        )
        invitations = invitations.filter(Q(invited_by=user.pk) | Q(Exists(into_managed)))
    return (
        invitations.select_related("invited_by", "accepted_by")
        .prefetch_related("communities")
        .order_by("-created_at", "-id")
    )


def invitation_get_for_manager(*, user: Any, pk: int) -> Invitation:
    invitation = invitations_managed_by(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


@dataclass
class GuestReport:
    guest: Any
    memberships: list[Membership]
    manageable: set[int]  # membership ids the viewer may end
    extendable: set[int]  # membership ids the viewer may extend (never in an archived one)
    grants: list[Grant]  # single objects shared with the guest outside their communities

    @property
    def current(self) -> list[Membership]:
        """The communities the guest can see now."""
        return [m for m in self.memberships if m.grants_access]

    @property
    def ended(self) -> list[Membership]:
        """Accesses that ended (left, removed, ended, expired), with their state."""
        return [m for m in self.memberships if not m.grants_access]


def access_ends(membership: Membership) -> datetime.datetime | None:
    """When access ends, or ended: a membership that ended (left, removed, ended) shows
    the moment it ended, never the later date it had been granted until."""
    if membership.status == Membership.Status.ACTIVE:
        return membership.expires_at
    if membership.expires_at is None:
        return membership.updated_at
    return min(membership.expires_at, membership.updated_at)


def guest_report(*, viewer: Any, guest_id: int) -> GuestReport:
    """Who can see what, for one guest: each community with role, since, sponsor and end
    date, then every single object shared with them outside those communities. The guest
    sees their own; leads see what concerns the communities they lead, sponsors the accesses
    they sponsor; administrators see everything. Anyone else: 404."""
    guest = User.objects.filter(pk=guest_id, is_external=True).first()
    if guest is None:
        raise Http404
    memberships = list(
        Membership.objects.filter(user=guest, role=Membership.Role.GUEST)
        .exclude(status=Membership.Status.INVITED)
        .select_related("community", "sponsorship__sponsor", "invited_by")
        .order_by("community__name")
    )
    for membership in memberships:
        membership.access_ends = access_ends(membership)
    grants = explicit_grants(guest)
    manageable = {m.pk for m in memberships if permissions.can(viewer, rules.MANAGE_GUEST, m)}
    if viewer.pk == guest.pk or permissions.is_administrator(viewer):
        visible = memberships
    else:
        # Whoever may manage an access sees it: the community's leads and administrators,
        # and the sponsor (whose reminder e-mails link here).
        visible = [m for m in memberships if m.pk in manageable]
        grants = [
            g
            for g in grants
            if g.community is not None
            and permissions.can(viewer, permissions.MODERATE, g.community)
        ]
        if not visible and not grants:
            raise Http404

    extendable = {m.pk for m in visible if permissions.can(viewer, rules.EXTEND_GUEST, m)}
    return GuestReport(
        guest=guest,
        memberships=visible,
        manageable=manageable,
        extendable=extendable,
        grants=grants,
    )


def community_guests(*, viewer: Any, community: Community) -> list[Membership]:
    """A community's guests, by organisation then name (leads and administrators, also once
    the community is archived)."""
    if not permissions.can(viewer, permissions.REVIEW_ACCESS, community):
        raise Http404
    return list(
        Membership.objects.filter(community=community, role=Membership.Role.GUEST)
        .exclude(status=Membership.Status.INVITED)
        .select_related("user", "sponsorship__sponsor")
        .order_by("user__organisation", "user__display_name", "user_id")
    )
