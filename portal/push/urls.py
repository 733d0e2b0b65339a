from django.urls import path

from portal.push import views

app_name = "push"

urlpatterns = [
    path("account/push/", views.devices, name="devices"),
    path("account/push/subscribe/", views.subscribe, name="subscribe"),
    path("account/push/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("account/push/<int:pk>/remove/", views.remove, name="remove"),
]
