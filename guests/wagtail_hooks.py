"""Guests and invitations in the admin's "Communities" menu: search and filter every guest
access, extend or end them in bulk (through the guests services, which write the audit
log), revoke pending invitations; each row links to the guest's access report."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import AdminDateInput

from communities.models import Membership
from guests import services
from guests.models import GuestAccess, Invitation
from guests.selectors import access_ends
from portal.core.admin_viewsets import (
    COMMUNITIES_MENU_HOOK,
    BulkActionIndexView,
    DateColumn,
    LinkColumn,
    ListingViewSet,
    PublicPageInspectView,
    ServiceBulkAction,
)

GUEST_ACTIONS = {
    "guests.invite": (_("Guests: invite"), _("Invitation sent")),
    "guests.resend": (_("Guests: resend invitation"), _("Invitation sent again")),
    "guests.revoke": (_("Guests: revoke invitation"), _("Invitation revoked")),
    "guests.accept": (_("Guests: accept invitation"), _("Invitation accepted")),
    # Written before the floor's lifecycle logged memberships itself
    # ("communities.membership.*"): kept so that older entries still read well.
    "guests.extend": (_("Guests: extend access"), _("Guest access extended")),
    "guests.end": (_("Guests: end access"), _("Guest access ended")),
    "guests.expire": (_("Guests: access expired"), _("Guest access expired")),
    "guests.deactivate": (_("Guests: deactivate account"), _("Guest account deactivated")),
}


@hooks.register("register_log_actions")
def register_guest_log_actions(actions) -> None:
    for action, (label, message) in GUEST_ACTIONS.items():
        actions.register_action(action, label, message)


# --- Guests ---------------------------------------------------------------------------------


def guest_report_url(membership: Membership) -> str:
    return reverse("guests:guest", args=[membership.user_id])


class GuestAccessFilterSet(WagtailFilterSet):
    ends = django_filters.DateFromToRangeFilter(
        field_name="expires_at", label=_("Access ends"), widget=DateRangePickerWidget
    )

    class Meta:
        model = GuestAccess
        fields = ["community", "status"]


class GuestAccessIndexView(BulkActionIndexView):
    def get_base_queryset(self) -> QuerySet:
        return (
            super().get_base_queryset().select_related("user", "community", "sponsorship__sponsor")
        )


class GuestAccessInspectView(PublicPageInspectView):
    public_url = staticmethod(guest_report_url)


GUEST_SEARCH = ("user__display_name", "user__email", "user__organisation", "community__name")


def sponsor_name(membership: Membership) -> str:
    sponsorship = getattr(membership, "sponsorship", None)
    return str(sponsorship.sponsor) if sponsorship and sponsorship.sponsor else ""


class GuestAccessViewSet(ListingViewSet):
    model = GuestAccess
    name = "guests"
    url_namespace = "admin_guests"
    icon = "user"
    menu_label = _("Guests")
    menu_order = 300
    menu_hook = COMMUNITIES_MENU_HOOK
    index_view_class = GuestAccessIndexView
    inspect_view_class = GuestAccessInspectView
    search_fields = GUEST_SEARCH
    filterset_class = GuestAccessFilterSet
    list_display = [
        "user",
        Column("user.organisation", label=_("Organisation")),
        "community",
        "status",
        Column("sponsor", label=_("Sponsor"), accessor=sponsor_name),
        # An access that ended shows when it ended, never the later date it was granted until.
        DateColumn(
            "expires_at", label=_("Access ends"), accessor=access_ends, sort_key="expires_at"
        ),
        LinkColumn("report", get_url=guest_report_url, text=_("Access report")),
    ]
    list_export = ["user", "community", "status", "joined_at", "expires_at"]
    inspect_view_fields = ["user", "community", "status", "joined_at", "expires_at", "invited_by"]
    ordering = ["expires_at"]


class GuestBulkAction(ServiceBulkAction):
    models = [GuestAccess]
    filterset_class = GuestAccessFilterSet
    search_fields = GUEST_SEARCH

    @classmethod
    def get_listing_queryset(cls, model) -> QuerySet:
        # Plain memberships, so the audit log files them under Membership.
        return Membership.objects.filter(role=Membership.Role.GUEST).select_related(
            "user", "community", "sponsorship"
        )


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New end date"), widget=AdminDateInput)

    def clean_until(self) -> datetime.date:
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise ValidationError(_("Choose a date in the future."))
        return until


class ExtendGuestsBulkAction(GuestBulkAction):
    display_name = _("Extend")
    action_type = "extend"
    aria_label = _("Extend the selected guests' access")
    action_priority = 10
    form_class = ExtendForm
    question = _("Extend these guests' access until the date below?")
    confirm_label = _("Yes, extend")

    def apply(self, obj: Membership, *, until: datetime.date, **options: Any) -> None:
        services.guest_extend(acting_user=self.request.user, membership=obj, until=until)

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)d guest access extended.", "%(count)d guest accesses extended.", count
        ) % {"count": count}


class EndGuestsBulkAction(GuestBulkAction):
    display_name = _("End access")
    action_type = "end"
    aria_label = _("End the selected guests' access now")
    action_priority = 20
    question = _(
        "End these guests' access now? They lose access at their next click; a guest left "
        "with no access at all is deactivated."
    )
    confirm_label = _("Yes, end access")

    def apply(self, obj: Membership, **options: Any) -> None:
        services.guest_end(acting_user=self.request.user, membership=obj)

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)d guest access ended.", "%(count)d guest accesses ended.", count
        ) % {"count": count}


hooks.register("register_bulk_action", ExtendGuestsBulkAction)
hooks.register("register_bulk_action", EndGuestsBulkAction)


# --- Invitations ----------------------------------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    if invitation.accepted_by_id:
        return reverse("guests:guest", args=[invitation.accepted_by_id])
    return reverse("guests:invitations")


class InvitationFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method="filter_state",
        choices=[
            ("pending", _("Pending")),
            ("accepted", _("Accepted")),
            ("expired", _("Expired")),
            ("revoked", _("Revoked")),
        ],
    )

    class Meta:
        model = Invitation
        fields = ["role", "communities"]

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        open_ = queryset.filter(revoked_at__isnull=True, accepted_at__isnull=True)
        return {
            "pending": open_.filter(expires_at__gt=now),
            "expired": open_.filter(expires_at__lte=now),
            "accepted": queryset.filter(revoked_at__isnull=True, accepted_at__isnull=False),
            "revoked": queryset.filter(revoked_at__isnull=False),
        }.get(value, queryset)


class InvitationIndexView(BulkActionIndexView):
    def get_base_queryset(self) -> QuerySet:
        return (
            super().get_base_queryset().select_related("invited_by").prefetch_related("communities")
        )


class InvitationInspectView(PublicPageInspectView):
    public_url = staticmethod(invitation_url)


INVITATION_SEARCH = ("email", "name", "organisation")


def community_names(invitation: Invitation) -> str:
    return ", ".join(c.name for c in invitation.communities.all())


class InvitationViewSet(ListingViewSet):
    model = Invitation
    name = "invitations"
    url_namespace = "admin_invitations"
    icon = "mail"
    menu_label = _("Invitations")
    menu_order = 400
    menu_hook = COMMUNITIES_MENU_HOOK
    index_view_class = InvitationIndexView
    inspect_view_class = InvitationInspectView
    search_fields = INVITATION_SEARCH
    filterset_class = InvitationFilterSet
    list_display = [
        "email",
        "name",
        "organisation",
        "role",
        Column("communities", label=_("Communities"), accessor=community_names),
        Column("state", label=_("State"), accessor="get_state_display"),
        "invited_by",
        DateColumn("created_at", label=_("Sent"), sort_key="created_at"),
        LinkColumn("page", get_url=invitation_url, text=_("On the site")),
    ]
    list_export = ["email", "name", "organisation", "role", "state", "created_at"]
    inspect_view_fields = [
        "email",
        "name",
        "organisation",
        "role",
        "communities",
        "invited_by",
        "access_ends_on",
        "created_at",
        "expires_at",
        "sent_count",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    ordering = ["-created_at"]


class RevokeInvitationsBulkAction(ServiceBulkAction):
    models = [Invitation]
    filterset_class = InvitationFilterSet
    search_fields = INVITATION_SEARCH
    display_name = _("Revoke")
    action_type = "revoke"
    aria_label = _("Revoke the selected invitations")
    question = _("Revoke these invitations? Their links stop working at once.")
    confirm_label = _("Yes, revoke")

    def apply(self, obj: Invitation, **options: Any) -> None:
        services.invitation_revoke(acting_user=self.request.user, invitation=obj)

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)d invitation revoked.", "%(count)d invitations revoked.", count
        ) % {"count": count}


hooks.register("register_bulk_action", RevokeInvitationsBulkAction)


@hooks.register("register_admin_viewset")
def register_guests_admin():
    return [GuestAccessViewSet(), InvitationViewSet()]
