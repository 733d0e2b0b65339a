from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("calendar/", views.my_calendar, name="calendar"),
    path("calendar/events/<int:pk>/", views.event_detail, name="detail"),
    path("calendar/events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("calendar/events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("calendar/events/<int:pk>/rsvp/", views.event_rsvp, name="rsvp"),
    path("calendar/events/<int:pk>/invite/", views.event_invite, name="invite"),
    path("calendar/events/<int:pk>/event.ics", views.event_ics, name="ics"),
    path("calendar/feeds/", views.feeds, name="feeds"),
    path("calendar/feeds/<int:pk>/rotate/", views.feed_rotate, name="feed_rotate"),
    path("calendar/feeds/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("calendar/feeds/<int:pk>/<str:token>.ics", views.feed, name="feed"),
    path("communities/<slug:slug>/calendar/", views.community_calendar, name="community"),
    path("communities/<slug:slug>/calendar/new/", views.event_create, name="create"),
    path("communities/<slug:slug>/calendar/import/", views.import_upload, name="import"),
    path(
        "communities/<slug:slug>/calendar/import/<int:pk>/",
        views.import_confirm,
        name="import_confirm",
    ),
]
