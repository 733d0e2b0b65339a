from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Community events, RSVP, calendar feeds."""

    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from communities.access import register_grant_provider
        from communities.digests import register_section_provider
        from events.access import feeds_for
        from events.digest import next_week

        register_section_provider(next_week)
        register_grant_provider(feeds_for)

        from events import privacy
        from portal.accounts.privacy import register

        register(privacy.contribution)
