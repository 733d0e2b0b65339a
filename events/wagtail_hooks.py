from django.utils.translation import gettext_lazy as _
from wagtail import hooks

EVENT_ACTIONS = {
    "events.feed_create": (_("Calendar: create a feed"), _("Calendar feed created")),
    "events.feed_rotate": (_("Calendar: rotate a feed"), _("Calendar feed address renewed")),
    "events.feed_revoke": (_("Calendar: revoke a feed"), _("Calendar feed revoked")),
    "events.import": (_("Calendar: import an .ics file"), _("Calendar file imported")),
}


@hooks.register("register_log_actions")
def register_event_log_actions(actions) -> None:
    for action, (label, message) in EVENT_ACTIONS.items():
        actions.register_action(action, label, message)
