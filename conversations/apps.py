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
        # The conversation:<id> topic, and messages.unread on the person's own topic.
        live.register()
        live.register_user_events()
        # Access ends (a membership, a deactivation, an erasure): seats close, sockets too.
        revocation.register()

        # When nobody is looking: notifications, e-mails answered by e-mail, digest lines,
        # and the person's data (issue 18, helper "notify").
        from communities.digests import register_personal_provider
        from communities.extensions import register_notification_kind
        from communities.inbound_mail import register_reply_kind
        from conversations import inbound, notifications, privacy
        from portal.accounts.privacy import register

        for kind, label in notifications.NOTIFICATION_KINDS.items():
            register_notification_kind(kind, label, notifications.NOTIFICATION_TOPICS[kind])
        register_reply_kind(inbound.reply_kind)
        register_personal_provider(notifications.digest_lines, kinds=notifications.KINDS)
        register(privacy.contribution)

        from wagtail.permissions import register_permission_policy

        from conversations.models import Conversation
        from conversations.wagtail_hooks import AdministratorsOnlyPolicy

        # The admin lists conversations to administrators only, read only.
        register_permission_policy(
            Conversation, AdministratorsOnlyPolicy(Conversation), exact_class=True
        )
