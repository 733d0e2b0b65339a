from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    """The floor: communities, memberships, the permission policy, the activity stream.
    It knows nothing of guests, events or documents."""

    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from communities import privacy, signals  # noqa: F401
        from portal.accounts.privacy import register

        register(privacy.contribution)
