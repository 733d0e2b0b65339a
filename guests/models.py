"""Invitations into communities, and the sponsor of each guest membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership


class Invitation(models.Model):
    """An invitation by e-mail into one or more communities. The link's token is stored
    hashed (sha256): the database alone cannot be used to accept an invitation."""

    class Role(models.TextChoices):
        GUEST = "guest", _("Guest (external partner)")
        MEMBER = "member", _("Member (colleague)")

    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.GUEST)
    communities = models.ManyToManyField(Community, related_name="invitations")
    message = models.TextField(_("personal message"), max_length=2000, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sponsor"),
    )
    access_ends_on = models.DateField(_("access ends on"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_count = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["email"], name="invitation_email")]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def for_guest(self) -> bool:
        """It creates a guest account (a partner's), not a colleague's."""
        return self.role == self.Role.GUEST

    STATE_LABELS = {
        "pending": _("pending"),
        "accepted": _("accepted"),
        "expired": _("link expired"),
        "revoked": _("revoked"),
    }

    def get_state_display(self) -> str:
        return str(self.STATE_LABELS[self.state])

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class Sponsorship(models.Model):
    """Who answers for a guest in a community: reminded before the access ends, may extend
    or end it."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="sponsorship"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="sponsored"
    )
    invitation = models.ForeignKey(Invitation, null=True, on_delete=models.SET_NULL)
    reminded_for = models.DateTimeField(
        null=True, blank=True, help_text="The end date the sponsor was last reminded of."
    )

    def __str__(self) -> str:
        return f"{self.sponsor_id} sponsors {self.membership_id}"


class BulkInvitation(models.Model):
    """A CSV of invitations for a roll-out wave: checked row by row (preview), then sent in
    the background with per-row results, so nobody wonders which rows went out."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Checked, waiting for confirmation")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # [{"line", "email", "name", "organisation", "role", "communities": [ids],
    #   "community_names", "errors": [[message id, {parameters}], ...] (translated when
    #   shown: guests.bulk.row_errors), "result": "" | "sent" | "refused" | "<reason>" (rows
    #   of before), "notes": [[message id, {parameters}] or sentence, ...] (why a line, or
    #   one of its communities, was refused: guests.bulk.row_result)}]
    rows = models.JSONField(default=list)
    done_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Bulk invitation {self.pk} ({self.status})"

    @property
    def valid_rows(self) -> list[dict]:
        return [row for row in self.rows if not row["errors"]]

    @property
    def invalid_rows(self) -> list[dict]:
        return [row for row in self.rows if row["errors"]]


class GuestAccessManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(role=Membership.Role.GUEST)


class GuestAccess(Membership):
    """A guest's membership as the admin's Guests screen lists it: no table of its own, but
    its own permissions (``guests.view_guestaccess``, ``guests.change_guestaccess`` to
    extend or end accesses) and its own bulk actions, apart from every membership."""

    objects = GuestAccessManager()

    class Meta:
        proxy = True
        verbose_name = _("guest access")
        verbose_name_plural = _("guests")
