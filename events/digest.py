"""The agenda section of a digest: the next seven days of each community's calendar, in the
reader's time zone."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from communities.digests import Item, Section, reader_zone, shared_per_community
from communities.models import Community
from events import selectors

DAYS = 7


def next_week(
    user: Any, communities: list[Community], starts_at: datetime.datetime, ends_at: Any
) -> dict[int, list[Section]]:
    """Occurrences from the digest's end to seven days later. Every reader of a community
    shares them: computed once per community and period (the digest gives only communities
    the reader may read now), then formatted in each reader's zone and language."""
    start = ends_at if isinstance(ends_at, datetime.datetime) else timezone.now()
    end = start + datetime.timedelta(days=DAYS)

    def compute(missing: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        events = selectors.events_of_communities(community_ids=missing, start=start, end=end)
        for item in selectors.expand(events, start=start, end=end):
            found[item.event.community_id].append(
                {
                    "title": item.title,
                    "url": reverse("events:detail", args=[item.event.pk]) + f"?at={item.key_param}",
                    "start": item.start,
                    "cancelled": item.cancelled,
                }
            )
        return found

    zone = reader_zone(user)
    shared = shared_per_community("agenda", [c.pk for c in communities], start, end, compute)
    sections = {}
    for community_id, rows in shared.items():
        if not rows:
            continue
        items = []
        for row in rows:
            when = formats.date_format(row["start"].astimezone(zone), "SHORT_DATETIME_FORMAT")
            detail = _("%(when)s · cancelled") % {"when": when} if row["cancelled"] else when
            items.append(Item(title=row["title"], url=row["url"], detail=detail))
        sections[community_id] = [Section(_("Coming up this week"), items)]
    return sections
