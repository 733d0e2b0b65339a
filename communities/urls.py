from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    path("feed/", views.home_feed, name="feed"),
    path("search/", views.search, name="search"),
    path("tags/<str:tag>/", views.hashtag, name="hashtag"),
    path("communities/", views.community_list, name="list"),
    path("communities/new/", views.community_create, name="create"),
    path("communities/<slug:slug>/", views.community_detail, name="detail"),
    path("communities/<slug:slug>/edit/", views.community_edit, name="edit"),
    path("communities/<slug:slug>/archive/", views.community_archive, name="archive"),
    path("communities/<slug:slug>/join/", views.community_join, name="join"),
    path("communities/<slug:slug>/leave/", views.community_leave, name="leave"),
    path("communities/<slug:slug>/members/", views.community_members, name="members"),
    path("communities/<slug:slug>/members/invite/", views.member_invite, name="invite"),
    path(
        "communities/<slug:slug>/members/<int:pk>/<str:action>/",
        views.member_action,
        name="member_action",
    ),
    path("communities/<slug:slug>/invitation/", views.invitation, name="invitation"),
    path("communities/<slug:slug>/mentions/", views.mention_options, name="mentions"),
    path("communities/<slug:slug>/posts/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:pk>/like/", views.post_like, name="post_like"),
    path("posts/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("posts/<int:pk>/<str:action>/", views.post_moderate, name="post_moderate"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("communities/<slug:slug>/cover/", views.community_cover, name="cover"),
    path("comments/<int:pk>/like/", views.comment_like, name="comment_like"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/digest/", views.digest_preview, name="digest_preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
