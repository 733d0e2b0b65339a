"""Reads of events, filtered by who asks (404 for what they may not see).

Agendas load the events that may touch a window with one query (the (community, start)
index, the policy's ``member_q``: one ``Exists`` condition for "my communities") and their changed
occurrences with one more, then expand series in Python within the window: the query count
does not depend on the number of events or occurrences.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from communities import permissions
from communities.models import Community
from communities.selectors import people_visible_to
from events import ical
from events.models import RSVP, CalendarFeed, CalendarImport, Event, Occurrence
from events.recurrence import expandable, in_range

UTC = datetime.UTC
# An agenda page shows at most this many occurrences.
AGENDA_LIMIT = 500
# Serialised events stay cached this long (their key changes whenever they do).
FRAGMENT_SECONDS = 7 * 24 * 3600


@dataclass
class Item:
    """One occurrence as shown: the event, the original start that identifies it, and its
    (possibly changed) times and texts."""

    event: Event
    key: datetime.datetime  # original start, UTC
    start: datetime.datetime
    end: datetime.datetime
    title: str
    location: str
    cancelled: bool
    changed: bool = False

    @property
    def key_param(self) -> str:
        return self.key.strftime("%Y%m%dT%H%M%SZ")


def parse_key(value: str | None) -> datetime.datetime | None:
    """An occurrence key from a URL (``20260329T080000Z``), or None when there is none.
    Http404 for anything else: no occurrence has that key (a malformed one, or a time
    outside the years the calendar holds)."""
    if not value:
        return None
    try:
        key = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise Http404 from None
    if not in_range(key):
        raise Http404
    return key


def _with_overrides(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("community").prefetch_related(
        Prefetch("overrides", queryset=Occurrence.objects.order_by("original_start"))
    )


def event_list_visible_to(
    *,
    user: Any,
    community: Community | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> QuerySet[Event]:
    """Events ``user`` may read: of one community (Http404 if they may not read it), or of
    every community they belong to (an archived one too: its members still read it, VIEW
    stays); limited to those that may touch ``[start, end)``."""
    if community is not None:
        if not permissions.can(user, permissions.VIEW, community):
            raise Http404
        qs = Event.objects.filter(community=community)
    else:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return Event.objects.none()
        qs = Event.objects.filter(permissions.member_q(user))
    return _with_overrides(_in_window(qs, start, end))


def _in_window(
    qs: QuerySet[Event], start: datetime.datetime | None, end: datetime.datetime | None
) -> QuerySet[Event]:
    """Events that may touch ``[start, end)``: a one-off event that ended before the window,
    or a series that stopped before it, is not needed (a COUNT is checked when expanded)."""
    if end is not None:
        qs = qs.filter(start__lt=end)
    if start is not None:
        qs = qs.filter(
            Q(freq="", end__gte=start)
            | (~Q(freq="") & (Q(until__isnull=True) | Q(until__gte=start)))
        )
    return qs


def events_of_communities(
    *, community_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Event]:
    """Every event of these communities that may touch the window, for callers that have
    already checked the reader may see each community (the digest's agenda section)."""
    return _with_overrides(
        _in_window(Event.objects.filter(community__in=community_ids), start, end)
    )


def expand(
    events: Any, *, start: datetime.datetime, end: datetime.datetime, limit: int = AGENDA_LIMIT
) -> list[Item]:
    """Occurrences of ``events`` (with their overrides loaded) that overlap the window, in
    time order; changed occurrences carry their own times and texts."""
    items: list[Item] = []
    slack = datetime.timedelta(days=2)
    for event in events:
        if not (expandable(event.start) and expandable(event.end)):
            continue  # stored before dates were bounded: nothing can be computed with it
        duration = event.end - event.start
        overrides = {o.original_start: o for o in event.overrides.all()}
        keys = event.occurrences(start - slack, end + slack)
        for key in keys:
            override = overrides.get(key)
            if override is not None:
                item = Item(
                    event=event,
                    key=key,
                    start=override.start,
                    end=override.end,
                    title=override.title,
                    location=override.location,
                    cancelled=override.cancelled or event.is_cancelled,
                    changed=True,
                )
            else:
                item = Item(
                    event=event,
                    key=key,
                    start=key,
                    end=key + duration,
                    title=event.title,
                    location=event.location,
                    cancelled=event.is_cancelled,
                )
            if item.start < end and (item.end > start or item.start >= start):
                items.append(item)
    items.sort(key=lambda i: (i.start, i.event.pk))
    return items[:limit]


def agenda(
    *,
    user: Any,
    start: datetime.datetime,
    end: datetime.datetime,
    community: Community | None = None,
) -> list[Item]:
    events = event_list_visible_to(user=user, community=community, start=start, end=end)
    return expand(events, start=start, end=end)


def my_answers(*, user: Any, items: list[Item]) -> dict[tuple[int, datetime.datetime], str]:
    """The viewer's answers for a page of occurrences, in one query."""
    if not items or not getattr(user, "is_authenticated", False):
        return {}
    rows = RSVP.objects.filter(user=user, event_id__in={i.event.pk for i in items}).values_list(
        "event_id", "occurrence_start", "answer"
    )
    return {(event_id, at): answer for event_id, at, answer in rows}


def event_get_for_user(*, user: Any, pk: int) -> Event:
    """The event if ``user`` may read its community; Http404 when missing or not."""
    event = _with_overrides(Event.objects.filter(pk=pk)).first()
    if event is None or not permissions.can(user, permissions.VIEW, event.community):
        raise Http404
    return event


def occurrence_for(event: Event, key: datetime.datetime | None) -> Item:
    """One occurrence of ``event`` (the first one when ``key`` is None); Http404 when the
    key is not an occurrence of it."""
    if key is None or not event.is_recurring:
        items = expand([event], start=event.start, end=event.start + datetime.timedelta(seconds=1))
        if not event.is_recurring and items:
            return items[0]
        if items and key is None:
            return items[0]
    else:
        items = [
            i
            for i in expand(
                [event],
                start=key - datetime.timedelta(days=400),
                end=key + datetime.timedelta(days=400),
                limit=100000,
            )
            if i.key == key
        ]
        if items:
            return items[0]
    raise Http404


def next_occurrence(event: Event) -> Item:
    """The next occurrence that has not ended yet, or the last one."""
    now = timezone.now()
    upcoming = expand([event], start=now, end=now + datetime.timedelta(days=3660), limit=1)
    if upcoming:
        return upcoming[0]
    past = expand([event], start=event.start, end=now, limit=100000)
    return past[-1] if past else occurrence_for(event, None)


@dataclass
class Attendance:
    counts: dict[str, int]
    people: dict[str, list[Any]]  # answer -> people the viewer may see
    mine: str | None
    can_answer: bool
    full: bool


def attendance(*, user: Any, event: Event, key: datetime.datetime) -> Attendance:
    """Answers for one occurrence: counts for everyone, names only of the people the viewer
    may see (``people_visible_to``)."""
    rows = list(
        RSVP.objects.filter(event=event, occurrence_start=key).values_list("user_id", "answer")
    )
    counts = Counter(answer for _user, answer in rows)
    visible = {
        person.pk: person
        for person in people_visible_to(user).filter(pk__in=[uid for uid, _a in rows])
    }
    people: dict[str, list[Any]] = {a: [] for a in RSVP.Answer.values}
    mine = None
    for user_id, answer in rows:
        if user_id == user.pk:
            mine = answer
        if user_id in visible:
            people[answer].append(visible[user_id])
    for answer in people:
        people[answer].sort(key=lambda p: p.name.lower())
    full = bool(event.capacity) and counts[RSVP.Answer.YES] >= (event.capacity or 0)
    return Attendance(
        counts={a: counts[a] for a in RSVP.Answer.values},
        people=people,
        mine=mine,
        can_answer=permissions.can(user, permissions.RSVP, event.community)
        and not event.is_cancelled,
        full=full,
    )


# --- Feeds ------------------------------------------------------------------------------


def feeds_of(*, user: Any) -> list[CalendarFeed]:
    return list(
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("community")
        .order_by("created_at", "id")
    )


def feed_get_for_owner(*, user: Any, pk: int) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(pk=pk, user=user, revoked_at__isnull=True).first()
    if feed is None:
        raise Http404
    return feed


def feed_get_by_token(*, pk: int, token_hash: str) -> CalendarFeed:
    """The live feed with this id and token (compared by hash: the token only works in its
    own feed's path); Http404 otherwise, also when its owner may no longer see it."""
    feed = (
        CalendarFeed.objects.select_related("user", "community")
        .filter(pk=pk, token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404
    if feed.community is not None:
        if not permissions.can(feed.user, permissions.VIEW, feed.community):
            raise Http404
    elif permissions.is_guest(feed.user) and not permissions.active_roles(feed.user):
        raise Http404  # a partner whose every access ended
    return feed


def feed_rows(*, feed: CalendarFeed) -> list[EventRow]:
    """What the feed's owner may see now (the one community, or all of theirs), as the
    few columns that identify each event's current state: one query, no objects."""
    qs = event_list_visible_to(user=feed.user, community=feed.community)
    return list(qs.order_by("start", "id").values_list(*EventRow._fields, named=True))


EventRow = namedtuple("EventRow", ["pk", "sequence", "updated_at", "tz", "all_day"])


def rows_of(events: Any) -> list[EventRow]:
    return [EventRow(e.pk, e.sequence, e.updated_at, e.tz, e.all_day) for e in events]


def warm_fragments(*, pks: list[int]) -> int:
    """Serialise these events into the cache now (after a change), so that the next fetch of
    any feed showing them finds them ready. Returns how many were serialised."""
    url = _event_url_template()
    fresh = _serialise(Event.objects.filter(pk__in=pks), url)
    cache.set_many(dict(fresh.values()), timeout=FRAGMENT_SECONDS)
    return len(fresh)


def _serialise(events: QuerySet[Event], url: str) -> dict[int, tuple[str, bytes]]:
    """{event id: (fragment key, VEVENT bytes)} in two plain queries: prefetch_related
    would clone a queryset per event, which costs more than serialising a 2,000-event feed."""
    events = list(events)
    overrides: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in Occurrence.objects.filter(event__in=[e.pk for e in events]).order_by(
        "original_start"
    ):
        overrides[occurrence.event_id].append(occurrence)
    return {
        event.pk: (
            _fragment_key(rows_of([event])[0], url),
            ical.event_bytes(
                event, url=url.format(pk=event.pk), overrides=overrides.get(event.pk, ())
            ),
        )
        for event in events
    }


def feed_version(*, rows: list[EventRow]) -> tuple[str, datetime.datetime | None]:
    """(ETag, Last-Modified) of a feed: any change to an event, one of its occurrences
    (which touches the event), or to the set of events visible moves them."""
    latest = max((row.updated_at for row in rows), default=None)
    raw = ";".join(f"{r.pk}:{r.sequence}:{r.updated_at.timestamp()}" for r in rows)
    return hashlib.sha256(raw.encode()).hexdigest()[:32], latest


def _event_url_template() -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse("events:detail", args=[0]).replace("/0/", "/{pk}/")


def _fragment_key(row: EventRow, url: str) -> str:
    return f"events:vevent:{row.pk}:{row.sequence}:{row.updated_at.timestamp()}:{url}"


def feed_bytes(*, rows: list[EventRow], etag: str, name: str) -> bytes:
    """A private feed's whole calendar, cached under its ETag (which moves with any change
    to its events or to the set of events its owner may see) and its name: calendar
    applications poll, and every poll between two changes gets the same bytes in one cache
    read, instead of reading and joining a VEVENT per event."""
    key = (
        "events:calendar:"
        + hashlib.sha256(f"{etag}:{name}:{_event_url_template()}".encode()).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        body = calendar_bytes(rows=rows, name=name)
        cache.set(key, body, timeout=FRAGMENT_SECONDS)
    return body


def calendar_bytes(*, rows: list[EventRow], events: Any = None, name: str = "") -> bytes:
    """A calendar for feeds and downloads. Each event's serialised VEVENTs are cached under
    its id, sequence and last change (one ``get_many`` for the whole feed); only events
    missing from the cache are loaded (two queries: events, changed occurrences) and
    serialised. ``events`` (with overrides loaded) may be given when already at hand."""
    url = _event_url_template()
    keys = {row.pk: _fragment_key(row, url) for row in rows}
    bodies: dict[int, bytes] = {}
    found = cache.get_many(list(keys.values()))
    for pk, key in keys.items():
        if key in found:
            bodies[pk] = found[key]
    missing = [pk for pk in keys if pk not in bodies]
    if missing:
        if events is None:
            fresh = _serialise(Event.objects.filter(pk__in=missing), url)
        else:
            fresh = {
                e.pk: (
                    _fragment_key(rows_of([e])[0], url),
                    ical.event_bytes(e, url=url.format(pk=e.pk)),
                )
                for e in events
                if e.pk not in bodies
            }
        bodies.update({pk: body for pk, (_key, body) in fresh.items()})
        cache.set_many(dict(fresh.values()), timeout=FRAGMENT_SECONDS)
    zones = {row.tz for row in rows if not row.all_day and row.tz != "UTC"}
    return ical.assemble(
        (bodies[row.pk] for row in rows if row.pk in bodies), zones=zones, name=name
    )


# --- Import -----------------------------------------------------------------------------


def import_get_for_user(*, user: Any, community: Community, pk: int) -> CalendarImport:
    """An upload waiting for confirmation, only for the person who uploaded it."""
    pending = CalendarImport.objects.filter(pk=pk, community=community, uploaded_by=user).first()
    if pending is None:
        raise Http404
    return pending


def known_uids(*, community: Community, uids: list[str]) -> set[str]:
    """UIDs already in the community's calendar (their import updates them)."""
    return set(
        Event.objects.filter(community=community, uid__in=uids).values_list("uid", flat=True)
    )
