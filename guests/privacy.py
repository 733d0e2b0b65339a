"""What guests holds about a person, for "Your data" (``portal/accounts/privacy.py``): the
invitations addressed to them (who invited them, into what, until when).

Erasure scrubs the invitations addressed to them (address, name, organisation, message;
any still pending is revoked), revokes the pending invitations they sent (the e-mail and the
acceptance page speak in their name, and they would sponsor the guest), and leaves the guests
they sponsored to their communities' leads. Invitations they sent that were accepted stay:
they are the other person's history ("invited by Former member").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone

from guests.models import Invitation, Sponsorship
from portal.accounts.privacy import Contribution, Entry, JsonEntry, relabel_log_entries, rows


def _addressed_to(user: Any, email: str):
    return Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=email))


def export(user: Any) -> Iterator[Entry]:
    yield JsonEntry(
        "invitations.json",
        rows(
            _addressed_to(user, user.email).select_related("invited_by", "sponsor").order_by("pk"),
            lambda i: {
                "email": i.email,
                "name": i.name,
                "organisation": i.organisation,
                "role": i.role,
                "communities": list(i.communities.values_list("name", flat=True)),
                "message": i.message,
                "invited_by": i.invited_by.name if i.invited_by else None,
                "sponsor": i.sponsor.name if i.sponsor else None,
                "access_ends_on": i.access_ends_on,
                "created_at": i.created_at,
                "accepted_at": i.accepted_at,
                "revoked_at": i.revoked_at,
            },
        ),
    )


def erase(user: Any, *, email: str) -> None:
    now = timezone.now()
    addressed = _addressed_to(user, email)
    ids = list(addressed.values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids).update(
        email=user.email, name="", organisation="", message=""
    )
    Invitation.objects.filter(pk__in=ids, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    Invitation.objects.filter(
        invited_by=user, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    Sponsorship.objects.filter(sponsor=user).update(sponsor=None)
    Invitation.objects.filter(sponsor=user, accepted_at__isnull=True).update(sponsor=None)
    relabel_log_entries(Invitation, Invitation.objects.filter(pk__in=ids))


contribution = Contribution(app="guests", export=export, erase=erase)
