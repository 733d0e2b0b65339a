from django.urls import path

from portal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.directory, name="directory"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/photo/", views.person_photo, name="photo"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/data/", views.privacy, name="privacy"),
    path("profile/data/export/", views.privacy_export, name="privacy_export"),
    path("profile/data/erase/", views.privacy_erase, name="privacy_erase"),
    path("language/", views.set_language, name="set_language"),
]
