from django.urls import path

from conversations import views

app_name = "conversations"

urlpatterns = [
    path("messages/", views.conversation_list, name="list"),
    path("messages/unread/", views.unread_link, name="unread"),
    path("messages/new/", views.conversation_start, name="start"),
    path("messages/<int:pk>/", views.conversation_detail, name="detail"),
    path("messages/<int:pk>/send/", views.message_send, name="send"),
    path("messages/<int:pk>/people/", views.people_add, name="people_add"),
    path("messages/<int:pk>/leave/", views.conversation_leave, name="leave"),
    path("messages/<int:pk>/rename/", views.conversation_rename, name="rename"),
    path("messages/<int:pk>/mute/", views.conversation_mute, name="mute"),
    path("messages/<int:pk>/read/", views.conversation_read, name="read"),
    path("messages/message/<int:pk>/edit/", views.message_edit, name="message_edit"),
    path("messages/message/<int:pk>/delete/", views.message_delete, name="message_delete"),
    path("messages/message/<int:pk>/react/", views.message_react, name="message_react"),
    path("messages/message/<int:pk>/pin/", views.message_pin, name="message_pin"),
    path("messages/files/<int:pk>/", views.attachment, name="attachment"),
    path("communities/<slug:slug>/chat/", views.community_chat, name="community_chat"),
    path(
        "communities/<slug:slug>/chat/settings/",
        views.community_chat_settings,
        name="community_chat_settings",
    ),
]
