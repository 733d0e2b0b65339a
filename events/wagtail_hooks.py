import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from events.models import Event
from portal.core.admin_viewsets import (
    COMMUNITIES_MENU_HOOK,
    DateColumn,
    LinkColumn,
    ListingViewSet,
    PublicPageInspectView,
    SafeIndexView,
)

EVENT_ACTIONS = {
    "events.feed_create": (_("Calendar: create a feed"), _("Calendar feed created")),
    "events.feed_rotate": (_("Calendar: rotate a feed"), _("Calendar feed address renewed")),
    "events.feed_revoke": (_("Calendar: revoke a feed"), _("Calendar feed revoked")),
    "events.import": (_("Calendar: import an .ics file"), _("Calendar file imported")),
}


@hooks.register("register_log_actions")
def register_event_log_actions(actions) -> None:
    for action, (label, message) in EVENT_ACTIONS.items():
        actions.register_action(action, label, message)


# --- The admin's Events screen (in the "Communities" menu): read only, since events
# change through the calendar pages and their services; each row links to the event.


def event_url(event: Event) -> str:
    return reverse("events:detail", args=[event.pk])


class EventFilterSet(WagtailFilterSet):
    starts = django_filters.DateFromToRangeFilter(
        field_name="start", label=_("Starts"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Event
        fields = ["community", "status", "freq"]


class EventIndexView(SafeIndexView):
    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().select_related("community", "created_by")


class EventInspectView(PublicPageInspectView):
    public_url = staticmethod(event_url)


class EventViewSet(ListingViewSet):
    model = Event
    name = "events"
    url_namespace = "admin_events"
    icon = "date"
    menu_label = _("Events")
    menu_order = 500
    menu_hook = COMMUNITIES_MENU_HOOK
    index_view_class = EventIndexView
    inspect_view_class = EventInspectView
    search_fields = ("title", "location", "community__name")
    filterset_class = EventFilterSet
    list_display = [
        "title",
        "community",
        DateColumn("start", label=_("Starts"), sort_key="start"),
        "freq",
        "status",
        "created_by",
        LinkColumn("page", get_url=event_url, text=_("Event page")),
    ]
    list_export = ["title", "community", "start", "end", "tz", "freq", "status", "location"]
    inspect_view_fields = [
        "title",
        "community",
        "start",
        "end",
        "tz",
        "all_day",
        "freq",
        "until",
        "location",
        "online_url",
        "capacity",
        "status",
        "created_by",
        "created_at",
    ]
    ordering = ["-start"]


@hooks.register("register_admin_viewset")
def register_events_admin():
    return EventViewSet()
