from django.utils.translation import gettext_lazy as _
from wagtail import hooks

GUEST_ACTIONS = {
    "guests.invite": (_("Guests: invite"), _("Invitation sent")),
    "guests.resend": (_("Guests: resend invitation"), _("Invitation sent again")),
    "guests.revoke": (_("Guests: revoke invitation"), _("Invitation revoked")),
    "guests.accept": (_("Guests: accept invitation"), _("Invitation accepted")),
    "guests.extend": (_("Guests: extend access"), _("Guest access extended")),
    "guests.end": (_("Guests: end access"), _("Guest access ended")),
    "guests.expire": (_("Guests: access expired"), _("Guest access expired")),
    "guests.deactivate": (_("Guests: deactivate account"), _("Guest account deactivated")),
}


@hooks.register("register_log_actions")
def register_guest_log_actions(actions) -> None:
    for action, (label, message) in GUEST_ACTIONS.items():
        actions.register_action(action, label, message)
