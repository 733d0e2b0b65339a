"""Calendar feeds in the "who can see what" report (registered from ``EventsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from communities.access import Grant
from events.models import CalendarFeed


def feeds_for(user: Any) -> list[Grant]:
    """The person's active feeds, with when each was last fetched (one query)."""
    return [
        Grant(
            kind=_("Calendar feed"),
            title=feed.community.name if feed.community else _("All my communities"),
            url=reverse("events:feeds"),
            community=feed.community,
            detail=_("last fetched %(when)s")
            # In the reader's zone, as templates show times (date_format does not convert).
            % {
                "when": formats.date_format(
                    timezone.localtime(feed.last_used_at), "DATETIME_FORMAT"
                )
            }
            if feed.last_used_at
            else _("never fetched"),
            opens_access=False,
        )
        for feed in CalendarFeed.objects.filter(user=user.pk, revoked_at__isnull=True)
        .select_related("community")
        .order_by("id")
    ]
