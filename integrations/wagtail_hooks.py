from django.utils.translation import gettext_lazy as _
from wagtail import hooks

INTEGRATION_ACTIONS = {
    "integrations.webhook_create": (_("Integrations: create webhook"), _("Webhook created")),
    "integrations.webhook_revoke": (_("Integrations: revoke webhook"), _("Webhook revoked")),
    "integrations.feed_create": (_("Integrations: connect feed"), _("Feed connected")),
    "integrations.feed_delete": (_("Integrations: disconnect feed"), _("Feed disconnected")),
    "integrations.token_create": (_("Integrations: create API token"), _("API token created")),
    "integrations.token_revoke": (_("Integrations: revoke API token"), _("API token revoked")),
}


@hooks.register("register_log_actions")
def register_integration_log_actions(actions) -> None:
    for action, (label, message) in INTEGRATION_ACTIONS.items():
        actions.register_action(action, label, message)
