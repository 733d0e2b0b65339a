from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Community events, RSVP, calendar feeds."""

    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from wagtail.permissions import register_permission_policy

        from communities.access import register_grant_provider
        from communities.digests import register_section_provider
        from communities.extensions import (
            register_activity_verb,
            register_membership_ended_hook,
            register_notification_email,
            register_notification_kind,
        )
        from events.access import feeds_for
        from events.digest import next_week
        from events.services import (
            NOTIFICATION_INVITED,
            NOTIFICATION_KINDS,
            VERBS,
            invitation_email,
            on_membership_ended,
        )

        register_section_provider(next_week)
        register_grant_provider(feeds_for)
        # Someone who leaves no longer holds a seat at the coming events.
        register_membership_ended_hook(on_membership_ended)
        for verb, label in VERBS.items():
            register_activity_verb(verb, label)
        for kind, label in NOTIFICATION_KINDS.items():
            register_notification_kind(kind, label, "event")
        register_notification_email(NOTIFICATION_INVITED, invitation_email)

        from events import privacy
        from events.models import Event
        from portal.accounts.privacy import register
        from portal.core.admin_permissions import ReadOnlyPolicy

        register(privacy.contribution)
        # The admin lists them; writes go through the services (see wagtail_hooks.py).
        register_permission_policy(Event, ReadOnlyPolicy(Event), exact_class=True)
