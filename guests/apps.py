from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    """Invitations and the guest lifecycle (sponsor, end date, renewal)."""

    name = "guests"
    verbose_name = _("Guests")

    def ready(self) -> None:
        from wagtail.permissions import register_permission_policy

        from communities.extensions import (
            register_membership_ended_hook,
            register_notification_email,
            register_notification_kind,
        )
        from guests import permissions, privacy, signals  # noqa: F401
        from guests.models import GuestAccess, Invitation
        from guests.services import (
            NOTIFICATION_ACCESS_ENDING,
            NOTIFICATION_KINDS,
            ending_soon_email,
            on_membership_ended,
        )
        from portal.accounts.privacy import register
        from portal.core.admin_permissions import ReadOnlyPolicy

        register(privacy.contribution)
        permissions.register()  # who manages a guest's access, an invitation
        register_membership_ended_hook(on_membership_ended)  # tell the sponsor
        # A guest's access ending soon: the sponsor's notification, e-mailed by default.
        for kind, label in NOTIFICATION_KINDS.items():
            register_notification_kind(kind, label, "access.ending")
        register_notification_email(NOTIFICATION_ACCESS_ENDING, ending_soon_email)
        # The admin lists these; writes go through the services (see wagtail_hooks.py).
        for model in (GuestAccess, Invitation):
            register_permission_policy(model, ReadOnlyPolicy(model), exact_class=True)
