"""What events holds about a person, for "Your data" (``portal/accounts/privacy.py``): their
answers (RSVP), the events they created and their calendar feeds (never the tokens, which
are stored only as hashes).

Erasure deletes the answers (a former member takes no place at an event), the calendar feeds
(their addresses answer 404 at once) and imports never confirmed; the events they created
stay in their community's agenda.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from events.models import RSVP, CalendarFeed, CalendarImport, Event
from portal.accounts.privacy import Contribution, Entry, JsonEntry, rows


def export(user: Any) -> Iterator[Entry]:
    yield JsonEntry(
        "rsvps.json",
        rows(
            RSVP.objects.filter(user=user).select_related("event__community").order_by("pk"),
            lambda r: {
                "event": r.event_id,
                "title": r.event.title,
                "community": r.event.community.name,
                "occurrence_start": r.occurrence_start,
                "answer": r.answer,
                "answered_at": r.answered_at,
            },
        ),
    )
    yield JsonEntry(
        "events.json",
        rows(
            Event.objects.filter(created_by=user).select_related("community").order_by("pk"),
            lambda e: {
                "id": e.pk,
                "community": e.community.name,
                "title": e.title,
                "description": e.description,
                "location": e.location,
                "start": e.start,
                "end": e.end,
                "time_zone": e.tz,
                "created_at": e.created_at,
            },
        ),
    )
    yield JsonEntry(
        "calendar_feeds.json",
        rows(
            CalendarFeed.objects.filter(user=user).select_related("community").order_by("pk"),
            lambda f: {
                "community": f.community.name if f.community else None,
                "created_at": f.created_at,
                "last_used_at": f.last_used_at,
                "revoked_at": f.revoked_at,
            },
        ),
    )


def erase(user: Any, *, email: str) -> None:
    RSVP.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    CalendarImport.objects.filter(uploaded_by=user, imported_at__isnull=True).delete()


contribution = Contribution(app="events", export=export, erase=erase)
