from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    """Invitations and the guest lifecycle (sponsor, end date, renewal)."""

    name = "guests"
    verbose_name = _("Guests")

    def ready(self) -> None:
        from guests import privacy, signals  # noqa: F401
        from portal.accounts.privacy import register

        register(privacy.contribution)
