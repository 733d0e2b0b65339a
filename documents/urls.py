from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.recent, name="list"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("documents/<int:pk>/versions/", views.version_upload, name="version_upload"),
    path("documents/<int:pk>/delete/", views.document_delete, name="delete"),
    path("documents/<int:pk>/reviews/", views.review_request, name="review_request"),
    path("documents/<int:pk>/share/", views.share, name="share"),
    path("documents/<int:pk>/share/<int:user_id>/remove/", views.unshare, name="unshare"),
    path("documents/reviews/", views.my_reviews, name="my_reviews"),
    path("documents/reviews/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("documents/reviews/<int:pk>/comments/", views.review_comment, name="review_comment"),
    path("documents/reviews/<int:pk>/withdraw/", views.review_withdraw, name="review_withdraw"),
    path("documents/reviews/<int:pk>/trail/", views.review_trail, name="review_trail"),
    path("documents/versions/<int:pk>/download/", views.download, name="download"),
    path("communities/<slug:slug>/documents/", views.library, name="library"),
    path("communities/<slug:slug>/documents/upload/", views.upload, name="upload"),
]
