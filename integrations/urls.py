from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path(
        "communities/<slug:slug>/integrations/",
        views.community_integrations,
        name="community",
    ),
    path(
        "communities/<slug:slug>/integrations/webhooks/",
        views.webhook_create,
        name="webhook_create",
    ),
    path("integrations/webhooks/<int:pk>/revoke/", views.webhook_revoke, name="webhook_revoke"),
    path("communities/<slug:slug>/integrations/feeds/", views.feed_create, name="feed_create"),
    path("integrations/feeds/<int:pk>/<str:action>/", views.feed_action, name="feed_action"),
    path("hooks/<str:token>/", views.webhook, name="webhook"),
    path("profile/api-tokens/", views.api_tokens, name="api_tokens"),
    path("profile/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
