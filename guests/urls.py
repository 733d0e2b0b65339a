from django.urls import path

from guests import views

app_name = "guests"

urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/new/", views.invite, name="invite"),
    path("invitations/bulk/", views.bulk_upload, name="bulk_upload"),
    path("invitations/bulk/<int:pk>/", views.bulk_detail, name="bulk"),
    path("invitations/bulk/<int:pk>/confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("invitations/<int:pk>/<str:action>/", views.invitation_action, name="invitation_action"),
    path("invite/<str:token>/", views.accept, name="accept"),
    path("guests/<int:pk>/", views.guest_report, name="guest"),
    path(
        "guests/<int:pk>/access/<int:membership_id>/<str:action>/",
        views.guest_access,
        name="guest_access",
    ),
    path("my-access/", views.my_access, name="my_access"),
    path("communities/<slug:slug>/guests/", views.community_guests, name="community_guests"),
]
