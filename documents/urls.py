from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.recent, name="list"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("documents/<int:pk>/versions/", views.version_upload, name="version_upload"),
    path("documents/<int:pk>/delete/", views.document_delete, name="delete"),
    path("documents/versions/<int:pk>/download/", views.download, name="download"),
    path("communities/<slug:slug>/documents/", views.library, name="library"),
    path("communities/<slug:slug>/documents/upload/", views.upload, name="upload"),
]
