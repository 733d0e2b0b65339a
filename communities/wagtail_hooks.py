"""The "Communities" menu of the Wagtail admin: communities (archive or restore them in
bulk), memberships, and digest delivery. The guests, events and documents apps add their
screens to the same menu (``portal.core.admin_viewsets.COMMUNITIES_MENU_HOOK``).

Administrators follow digest delivery too: every digest with its status, attempts and last
error; a failed one can be set back to pending, and the next beat tick sends it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from communities import digests, permissions, services
from communities.models import Community, DigestOutbox, Membership
from portal.core.admin_viewsets import (
    COMMUNITIES_MENU_HOOK,
    BulkActionIndexView,
    DateColumn,
    LinkColumn,
    ListingViewSet,
    PublicPageInspectView,
    SafeIndexView,
    ServiceBulkAction,
)


@hooks.register("register_log_actions")
def register_community_log_actions(actions) -> None:
    actions.register_action(
        "communities.archive", _("Communities: archive"), _("Community archived")
    )
    actions.register_action(
        "communities.restore", _("Communities: restore"), _("Community restored")
    )
    actions.register_action(services.LOG_GRANT, _("Memberships: grant"), _("Membership granted"))
    actions.register_action(services.LOG_EXTEND)(MembershipExtendFormatter)
    actions.register_action(
        services.LOG_ROLE, _("Memberships: change role"), _("Membership role changed")
    )
    actions.register_action(services.LOG_END)(MembershipEndFormatter)


class MembershipExtendFormatter(LogFormatter):
    label = _("Memberships: extend")

    def format_message(self, log_entry) -> str:
        if (log_entry.data or {}).get("role") == Membership.Role.GUEST:
            return _("Guest access extended")
        return _("Membership extended")


class MembershipEndFormatter(LogFormatter):
    """One action for every end of a membership; the message says why it ended."""

    label = _("Memberships: end")
    messages = {
        "left": _("Membership ended: the person left"),
        "removed": _("Membership ended: removed by a lead"),
        "ended": _("Guest access ended"),
        "expired": _("Guest access expired"),
        "erased": _("Membership ended: the account was erased"),
    }

    def format_message(self, log_entry) -> str:
        reason = (log_entry.data or {}).get("reason")
        return self.messages.get(reason, _("Membership ended"))


# --- Communities ----------------------------------------------------------------------------


def community_url(community: Community) -> str:
    return reverse("communities:detail", args=[community.slug])


class CommunityFilterSet(WagtailFilterSet):
    archived = django_filters.BooleanFilter(label=_("Archived"), method="filter_archived")

    class Meta:
        model = Community
        fields = ["kind", "visibility"]

    def filter_archived(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(archived_at__isnull=not value)


class CommunityIndexView(BulkActionIndexView):
    def get_base_queryset(self) -> QuerySet:
        # Members counted in the same query: the listing costs the same for 3 or 300 rows.
        active = permissions.active_membership_q("memberships__")
        return super().get_base_queryset().annotate(member_count=Count("memberships", active))


class CommunityInspectView(PublicPageInspectView):
    public_url = staticmethod(community_url)


COMMUNITY_SEARCH = ("name", "slug", "description")


class CommunityViewSet(ListingViewSet):
    model = Community
    name = "communities"
    url_namespace = "admin_communities"  # "communities" is the site's namespace
    icon = "group"
    menu_label = _("Communities")
    menu_order = 100
    index_view_class = CommunityIndexView
    inspect_view_class = CommunityInspectView
    search_fields = COMMUNITY_SEARCH
    filterset_class = CommunityFilterSet
    list_display = [
        "name",
        "kind",
        "visibility",
        Column("member_count", label=_("Members"), sort_key="member_count"),
        DateColumn("archived_at", label=_("Archived on"), sort_key="archived_at"),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        LinkColumn("page", get_url=community_url, text=_("Community page")),
    ]
    list_export = ["name", "slug", "kind", "visibility", "member_count", "archived_at"]
    inspect_view_fields = [
        "name",
        "slug",
        "kind",
        "visibility",
        "description",
        "members_add_events",
        "archived_at",
        "created_by",
        "created_at",
    ]
    ordering = ["name"]


class CommunityBulkAction(ServiceBulkAction):
    models = [Community]
    filterset_class = CommunityFilterSet
    search_fields = COMMUNITY_SEARCH


class ArchiveCommunitiesBulkAction(CommunityBulkAction):
    display_name = _("Archive")
    action_type = "archive"
    aria_label = _("Archive the selected communities")
    action_priority = 10
    question = _(
        "Archive these communities? Their content stays readable; nobody can post, comment "
        "or join until a lead restores them."
    )
    confirm_label = _("Yes, archive")

    def apply(self, obj: Community, **options: Any) -> None:
        services.community_archive(acting_user=self.request.user, community=obj)

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)d community archived.", "%(count)d communities archived.", count
        ) % {"count": count}


class RestoreCommunitiesBulkAction(CommunityBulkAction):
    display_name = _("Restore")
    action_type = "restore"
    aria_label = _("Restore the selected communities")
    action_priority = 20
    question = _("Restore these communities? Their members can post and join again.")
    confirm_label = _("Yes, restore")

    def apply(self, obj: Community, **options: Any) -> None:
        services.community_restore(acting_user=self.request.user, community=obj)

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)d community restored.", "%(count)d communities restored.", count
        ) % {"count": count}


hooks.register("register_bulk_action", ArchiveCommunitiesBulkAction)
hooks.register("register_bulk_action", RestoreCommunitiesBulkAction)


# --- Memberships ----------------------------------------------------------------------------


def members_url(membership: Membership) -> str:
    return reverse("communities:members", args=[membership.community.slug])


class MembershipIndexView(SafeIndexView):
    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().select_related("user", "community")


class MembershipInspectView(PublicPageInspectView):
    public_url = staticmethod(members_url)


class MembershipViewSet(ListingViewSet):
    """Read only: roles and removals go through the community's member page, whose
    services keep a lead in every community."""

    model = Membership
    name = "memberships"
    url_namespace = "admin_memberships"
    icon = "user"
    menu_label = _("Memberships")
    menu_order = 200
    index_view_class = MembershipIndexView
    inspect_view_class = MembershipInspectView
    search_fields = ("user__display_name", "user__email", "community__name")
    list_filter = ["role", "status", "community"]
    list_display = [
        "user",
        "community",
        "role",
        "status",
        DateColumn("joined_at", label=_("Joined on"), sort_key="joined_at"),
        DateColumn("expires_at", label=_("Access ends"), sort_key="expires_at"),
        LinkColumn("page", get_url=members_url, text=_("Member list")),
    ]
    list_export = ["user", "community", "role", "status", "joined_at", "expires_at"]
    inspect_view_fields = [
        "user",
        "community",
        "role",
        "status",
        "joined_at",
        "expires_at",
        "invited_by",
    ]
    ordering = ["community__name", "user__display_name"]


# --- Digests --------------------------------------------------------------------------------


class OutboxEditView(EditView):
    def save_instance(self) -> DigestOutbox:
        """Through the digests' service: set back to pending, a digest starts afresh."""
        return digests.digest_status_set(
            outbox_id=self.object.pk, status=self.form.cleaned_data["status"]
        )


class DigestOutboxViewSet(ModelViewSet):
    model = DigestOutbox
    edit_view_class = OutboxEditView
    name = "digests"
    icon = "mail"
    menu_label = _("Digests")
    menu_order = 800
    list_display = ["user", "period", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "period"]
    ordering = ["-id"]
    form_fields = ["status"]  # set a failed digest back to pending to send it again
    index_view_class = SafeIndexView  # its CSV export carries mail servers' error texts
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False  # as ListingViewSet: no index update on every send


class CommunitiesAdminGroup(ViewSetGroup):
    menu_label = _("Communities")
    menu_icon = "group"
    menu_order = 150
    items = (CommunityViewSet, MembershipViewSet, DigestOutboxViewSet)
    submenu_hook = COMMUNITIES_MENU_HOOK


@hooks.register("register_admin_viewset")
def register_communities_admin():
    return CommunitiesAdminGroup()
