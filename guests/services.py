"""Writes on invitations and guest sponsorship (who sponsors, the end date policy, renewal
reminders). Memberships themselves start, are extended and end through the floor's
lifecycle services (``communities.services.membership_grant`` / ``_extend`` / ``_end``),
which write the row, the activity and the audit log entry. Every change here is written to
Wagtail's audit log too (visible in the admin's reports), in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, NamedTuple
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from communities import permissions
from communities.access import has_explicit_access
from communities.models import Community, DigestPreference, Membership
from communities.notifications import notify, preferences_set
from communities.services import (
    membership_end,
    membership_extend,
    membership_grant,
    mentions_rerender,
)
from guests import permissions as rules
from guests.app_settings import app_settings
from guests.models import Invitation, Sponsorship
from portal.accounts.adapter import is_internal_address
from portal.core.mail import recipient_for, render_templated_email
from portal.core.tasks import send_templated_email_on_commit
from portal.core.tokens import token_hash, token_issue

User = get_user_model()
# The invitation a visitor opened, kept in their session through allauth's sign-up.
SESSION_KEY = "guests_invitation_token"
CONSENT_SESSION_KEY = "guests_digest_consent"  # the sign-up form's "send me digests" box


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """Access lasts through the whole end date, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


INVITATION_EMAIL = "guests/email/invitation"
# A sponsor hears that a guest's access ends soon (topic "access.ending"; registered with
# the floor in GuestsConfig.ready).
NOTIFICATION_ACCESS_ENDING = "access.ending"
NOTIFICATION_KINDS = {NOTIFICATION_ACCESS_ENDING: gettext_lazy("A guest's access ends soon")}


def _invitation_email_context(
    *,
    inviter: Any,
    communities: Iterable[Community],
    message: str,
    token: str,
    expires_at: datetime.datetime,
) -> dict[str, Any]:
    """What the invitation e-mail says: the one context of the sent mail and of its preview."""
    return {
        "inviter_name": inviter.name if inviter else "",
        "communities": ", ".join(c.name for c in communities),
        "message": message,
        "accept_url": reverse("guests:accept", args=[token]),
        "expires_on": expires_at.isoformat(),
    }


def _send(invitation: Invitation, token: str) -> None:
    invitation.sent_count += 1
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["sent_count", "last_sent_at"])
    send_templated_email_on_commit(
        INVITATION_EMAIL,
        addresses=[invitation.email],
        context=_invitation_email_context(
            inviter=invitation.invited_by,
            communities=invitation.communities.all(),
            message=invitation.message,
            token=token,
            expires_at=invitation.expires_at,
        ),
    )


class EmailPreview(NamedTuple):
    to: str
    subject: str
    text: str


# The link of a previewed invitation: the real one is made (and shown) only when it is sent.
PREVIEW_TOKEN = "…"  # noqa: S105 (a placeholder, not a secret)


def invitation_preview(
    *,
    acting_user: Any,
    email: str,
    communities: Iterable[Community],
    message: str = "",
    **_other_fields: Any,
) -> EmailPreview:
    """The address, subject and text of the e-mail ``invitation_create`` would send, by the
    same template in the language it would be sent in; nothing is stored or sent. Asks the
    same permission as ``invitation_create`` (``PermissionDenied``)."""
    communities = list(communities)
    for community in communities:
        if not permissions.can(acting_user, permissions.MANAGE_MEMBERS, community):
            raise PermissionDenied("invite")
    context = _invitation_email_context(
        inviter=acting_user,
        communities=communities,
        message=message.strip(),
        token=PREVIEW_TOKEN,
        expires_at=timezone.now() + datetime.timedelta(days=app_settings.INVITATION_DAYS),
    )
    context["accept_url"] = unquote(context["accept_url"])  # "/invite/…/", not "%E2%80%A6"
    recipient = recipient_for(User.objects.normalize_email(email.strip()).lower())
    subject, text, _html = render_templated_email(
        INVITATION_EMAIL, recipient=recipient, context=context
    )
    return EmailPreview(to=recipient.email, subject=subject, text=text)


@transaction.atomic
def invitation_create(
    *,
    acting_user: Any,
    email: str,
    communities: Iterable[Community],
    role: str = Invitation.Role.GUEST,
    name: str = "",
    organisation: str = "",
    message: str = "",
    sponsor: Any = None,
    access_ends_on: datetime.date | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` into ``communities`` (all led by ``acting_user``). Returns the
    invitation and the raw token (only ever in the e-mail's link)."""
    communities = list(communities)
    email = User.objects.normalize_email(email.strip()).lower()
    if not communities:
        raise ValidationError(_("Choose at least one community."))
    for community in communities:
        if not permissions.can(acting_user, permissions.MANAGE_MEMBERS, community):
            raise PermissionDenied("invite")
    internal = is_internal_address(email)
    for_guest = role == Invitation.Role.GUEST  # the kind of account it creates
    if for_guest and internal:
        raise ValidationError(
            _("%(email)s is an internal address: invite colleagues as members.") % {"email": email}
        )
    if not for_guest and not internal:
        raise ValidationError(
            _("%(email)s is not an internal address: partners are invited as guests.")
            % {"email": email}
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if permissions.is_guest_account(existing) != for_guest:
            raise ValidationError(
                _("%(email)s already has an account of another kind.") % {"email": email}
            )
        already = Membership.objects.filter(
            permissions.active_membership_q(), user=existing, community__in=communities
        ).count()
        if already == len(communities):
            raise ValidationError(_("%(email)s is already a member.") % {"email": email})
    today = timezone.localdate()
    if for_guest:
        access_ends_on = access_ends_on or today + datetime.timedelta(days=app_settings.ACCESS_DAYS)
        if access_ends_on < today:
            raise ValidationError(_("The end date is in the past."))
    else:
        access_ends_on = None
    token, hashed = token_issue()
    invitation = Invitation.objects.create(
        email=email,
        name=name.strip(),
        organisation=organisation.strip(),
        role=role,
        message=message.strip(),
        invited_by=acting_user,
        sponsor=sponsor or acting_user,
        access_ends_on=access_ends_on,
        token_hash=hashed,
        expires_at=timezone.now() + datetime.timedelta(days=app_settings.INVITATION_DAYS),
    )
    invitation.communities.set(communities)
    _send(invitation, token)
    log(instance=invitation, action="guests.invite", user=acting_user)
    return invitation, token


def _require_manager(acting_user: Any, invitation: Invitation) -> None:
    if not permissions.can(acting_user, rules.MANAGE_INVITATION, invitation):
        raise PermissionDenied("manage invitation")


@transaction.atomic
def invitation_resend(*, acting_user: Any, invitation: Invitation) -> str:
    """A new link (the old one stops working) valid for another full period."""
    _require_manager(acting_user, invitation)
    if invitation.state in ("accepted", "revoked"):
        raise ValidationError(_("This invitation was already used or revoked."))
    token, invitation.token_hash = token_issue()
    invitation.expires_at = timezone.now() + datetime.timedelta(days=app_settings.INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send(invitation, token)
    log(instance=invitation, action="guests.resend", user=acting_user)
    return token


@transaction.atomic
def invitation_revoke(*, acting_user: Any, invitation: Invitation) -> None:
    _require_manager(acting_user, invitation)
    if invitation.state == "accepted":
        raise ValidationError(_("This invitation was accepted: end the access instead."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log(instance=invitation, action="guests.revoke", user=acting_user)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state (None for an unknown token)."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.filter(token_hash=token_hash(token)).first()


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: Any, digest_consent: bool = False
) -> list[Membership]:
    """The invitee (signed in with the invited address) gains the memberships. A guest
    gets digests only with ``digest_consent`` (asked on the acceptance page)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise ValidationError(_("This invitation can no longer be used."))
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied("someone else's invitation")
    guest = invitation.for_guest
    if guest != permissions.is_guest_account(user):
        raise ValidationError(_("This invitation is for another kind of account."))
    if not user.is_active:
        user.is_active = True  # a new invitation reactivates a former guest
        user.save(update_fields=["is_active"])
        mentions_rerender(user=user)  # their name links to their profile again
    expires_at = _end_of_day(invitation.access_ends_on) if guest else None
    memberships = []
    for community in invitation.communities.filter(archived_at__isnull=True):
        current = Membership.objects.filter(user=user, community=community).first()
        if (
            current is not None
            and current.status == Membership.Status.ACTIVE
            and current.role == Membership.Role.LEAD
        ):
            memberships.append(current)  # an invitation never demotes a lead
            continue
        membership = membership_grant(
            acting_user=user,
            user=user,
            community=community,
            role=Membership.Role.GUEST if guest else Membership.Role.MEMBER,
            expires_at=expires_at,
            invited_by=invitation.invited_by,
        )
        if guest:
            Sponsorship.objects.update_or_create(
                membership=membership,
                defaults={
                    "sponsor": invitation.sponsor,
                    "invitation": invitation,
                    "reminded_for": None,
                },
            )
        memberships.append(membership)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log(instance=invitation, action="guests.accept", user=user)
    if guest and digest_consent:
        preferences_set(acting_user=user, account=DigestPreference.Frequency.DAILY)
    return memberships


def _require_guest_manager(acting_user: Any, membership: Membership, rule: str) -> None:
    """Ending an access asks ``rules.MANAGE_GUEST`` (leads keep it in an archived
    community), extending asks ``rules.EXTEND_GUEST`` (nobody extends there)."""
    if not permissions.can(acting_user, rule, membership):
        raise PermissionDenied("manage guest")


@transaction.atomic
def guest_extend(*, acting_user: Any, membership: Membership, until: datetime.date) -> Membership:
    _require_guest_manager(acting_user, membership, rules.EXTEND_GUEST)
    if membership.user.is_erased:  # extending would bring a former member's account back
        raise ValidationError(_("This person's account was erased."))
    if until <= timezone.localdate():
        raise ValidationError(_("Choose a date in the future."))
    membership = membership_extend(
        acting_user=acting_user, membership=membership, expires_at=_end_of_day(until)
    )
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
        mentions_rerender(user=membership.user)
    # A new end date: the sponsor hears of it again before it comes.
    Sponsorship.objects.filter(membership=membership).update(reminded_for=None)
    return membership


@transaction.atomic
def guest_end(*, acting_user: Any, membership: Membership) -> Membership:
    """End a guest's access now (the next request already sees it)."""
    _require_guest_manager(acting_user, membership, rules.MANAGE_GUEST)
    membership_end(acting_user=acting_user, membership=membership, reason="ended")
    _deactivate_if_no_access(membership.user)
    return membership


def _deactivate_if_no_access(user: Any) -> bool:
    if not permissions.is_guest_account(user) or not user.is_active:
        return False
    if Membership.objects.filter(permissions.active_membership_q(), user=user).exists():
        return False
    if has_explicit_access(user):  # a document still shared with them, say
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Nobody may see a deactivated account's profile: mentions of them become plain text.
    mentions_rerender(user=user)
    log(instance=user, action="guests.deactivate", user=None)
    return True


def guests_tidy() -> int:
    """Nightly: expired guest memberships are marked removed, and guests left with no
    access are deactivated. (Access already stopped at the end date: the policy checks
    ``expires_at`` on every request; this only tidies up.)"""
    now = timezone.now()
    expired = Membership.objects.filter(
        role=Membership.Role.GUEST, status=Membership.Status.ACTIVE, expires_at__lte=now
    ).select_related("user")
    users = set()
    for membership in expired:
        membership_end(acting_user=None, membership=membership, reason="expired")
        users.add(membership.user)
    return sum(_deactivate_if_no_access(user) for user in users)


def guests_remind() -> int:
    """Daily: each sponsor hears once per end date about guests whose access ends soon."""
    horizon = timezone.now() + datetime.timedelta(days=app_settings.REMINDER_DAYS)
    due = (
        Sponsorship.objects.filter(
            membership__status=Membership.Status.ACTIVE,
            membership__role=Membership.Role.GUEST,
            membership__expires_at__gt=timezone.now(),
            membership__expires_at__lte=horizon,
            sponsor__isnull=False,
        )
        .exclude(reminded_for=F("membership__expires_at"))
        .select_related("membership__user", "membership__community", "sponsor")
    )
    count = 0
    for sponsorship in due:
        membership = sponsorship.membership
        # Told by the channel the sponsor chose for "a guest's access ending soon" (e-mail
        # unless they chose otherwise: guests/email/ending_soon, ending_soon_email).
        notify(
            users=[sponsorship.sponsor],
            kind=NOTIFICATION_ACCESS_ENDING,
            actor=None,
            community=membership.community,
            title=membership.user.name,
            url=reverse("guests:guest", args=[membership.user_id]),
        )
        sponsorship.reminded_for = membership.expires_at
        sponsorship.save(update_fields=["reminded_for"])
        count += 1
    return count


def ending_soon_email(notification: Any) -> tuple[str, dict[str, Any]] | None:
    """The e-mail of an "access ending soon" notification (registered with the floor in
    ``GuestsConfig.ready``): what guests/email/ending_soon always said, or nothing when the
    guest's access is no longer running to an end date."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(notification.url)
    except Resolver404:
        return None
    if match.view_name != "guests:guest":
        return None
    membership = (
        Membership.objects.filter(
            user=match.kwargs["pk"],
            community=notification.community_id,
            status=Membership.Status.ACTIVE,
            expires_at__gt=timezone.now(),
        )
        .select_related("user", "community")
        .first()
    )
    if membership is None:
        return None
    return "guests/email/ending_soon", {
        "guest_name": membership.user.name,
        "community_name": membership.community.name,
        "ends_on": membership.expires_at.isoformat(),
        "manage_url": notification.url,
    }


def on_membership_ended(ended: Any) -> None:
    """The floor's membership-ended hook (registered in ``GuestsConfig.ready``): when a
    guest leaves, is removed or has their access ended, their sponsor hears of it (the
    community's leads when nobody sponsors them), unless that person did it. An end date
    that passes was announced to the sponsor already; an erased account has no name left."""
    membership = ended.membership
    if not permissions.is_guest_membership(membership) or ended.reason not in (
        "left",
        "removed",
        "ended",
    ):
        return
    actor_id = getattr(ended.acting_user, "pk", None)
    sponsor = (
        Sponsorship.objects.filter(membership=membership, sponsor__is_active=True)
        .values_list("sponsor_id", flat=True)
        .first()
    )
    if sponsor is not None:
        recipients = [sponsor]
    else:
        recipients = list(
            Membership.objects.filter(
                permissions.active_membership_q(),
                community=membership.community_id,
                role=Membership.Role.LEAD,
            ).values_list("user_id", flat=True)
        )
    recipients = [pk for pk in recipients if pk != actor_id]
    send_templated_email_on_commit(
        "guests/email/access_ended",
        user_ids=recipients,
        context={
            "reason": ended.reason,
            "guest_name": membership.user.name,
            "community_name": membership.community.name,
            "actor_name": ended.acting_user.name if ended.acting_user is not None else "",
            "guest_url": reverse("guests:guest", args=[membership.user_id]),
        },
    )
