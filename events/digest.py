"""The agenda section of a digest: the next seven days of each community's calendar, in the
reader's time zone."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from communities.digests import Item, Section
from communities.models import Community
from events import selectors

DAYS = 7


def next_week(
    user: Any, communities: list[Community], starts_at: datetime.datetime, ends_at: Any
) -> dict[int, list[Section]]:
    """Occurrences from the digest's end to seven days later (a fixed number of queries)."""
    start = ends_at if isinstance(ends_at, datetime.datetime) else timezone.now()
    end = start + datetime.timedelta(days=DAYS)
    wanted = {c.pk for c in communities}
    events = selectors.event_list_visible_to(user=user, start=start, end=end).filter(
        community__in=wanted
    )
    try:
        zone = zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    items: dict[int, list[Item]] = defaultdict(list)
    for item in selectors.expand(events, start=start, end=end):
        when = formats.date_format(item.start.astimezone(zone), "SHORT_DATETIME_FORMAT")
        items[item.event.community_id].append(
            Item(
                title=item.title,
                url=reverse("events:detail", args=[item.event.pk]) + f"?at={item.key_param}",
                detail=_("%(when)s · cancelled") % {"when": when} if item.cancelled else when,
            )
        )
    return {pk: [Section(_("Coming up this week"), rows)] for pk, rows in items.items()}
