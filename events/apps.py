from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Community events, RSVP, calendar feeds."""

    name = "events"
    verbose_name = _("Events")
