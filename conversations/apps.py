from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    """Direct and group conversations, and a chat per community, live over WebSockets."""

    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from conversations import live, permissions, revocation

        # Who may read, write, add, leave, moderate: rules answered by the one policy.
        permissions.register()
        # Access ends (a membership, a deactivation, an erasure): seats close, sockets too.
        revocation.register()
        # The conversation:<id> topic, and messages.unread on the person's own topic.
        live.register()
        live.register_user_events()
