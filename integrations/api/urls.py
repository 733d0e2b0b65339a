from django.urls import path

from integrations.api import views

app_name = "api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("communities/", views.CommunityListView.as_view(), name="communities"),
    path("communities/<slug:slug>/", views.CommunityDetailView.as_view(), name="community"),
    path("communities/<slug:slug>/posts/", views.PostListView.as_view(), name="posts"),
    path("posts/<int:pk>/", views.PostDetailView.as_view(), name="post"),
    path("posts/<int:pk>/comments/", views.CommentListView.as_view(), name="comments"),
    path("communities/<slug:slug>/documents/", views.DocumentListView.as_view(), name="documents"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/versions/", views.VersionUploadView.as_view(), name="version_upload"),
    path(
        "versions/<int:pk>/download/", views.VersionDownloadView.as_view(), name="version_download"
    ),
    path("communities/<slug:slug>/events/", views.EventListView.as_view(), name="events"),
    path("events/<int:pk>/rsvp/", views.RSVPView.as_view(), name="rsvp"),
]
