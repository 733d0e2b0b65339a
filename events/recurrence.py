"""Occurrences of a series, computed in the event's own time zone (pure: no database).

A weekly meeting at 10:00 in Paris stays at 10:00 Paris time after the clock change, so the
rule runs on naive *local* times (python-dateutil's rrule) and each result is then given the
zone and converted to UTC. Expansion is always bounded: by a window and by ``limit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

UTC = datetime.UTC
FREQUENCIES = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY}
# No view or feed ever expands more occurrences than this for one series.
MAX_OCCURRENCES = 1000
# The calendar accepts dates of these years only (typed, imported or read from a URL): far
# enough from datetime's own limits (years 1 and 9999) that no time-zone shift, duration or
# expansion window can overflow, and every year has the four digits iCalendar requires.
FIRST_YEAR = 1900
LAST_YEAR = 2200
# Expansion never looks outside these instants (a little wider than the years accepted, so
# that no zone's offset cuts an accepted occurrence off).
_FLOOR = datetime.datetime(FIRST_YEAR - 1, 1, 1, tzinfo=UTC)
_CEILING = datetime.datetime(LAST_YEAR + 2, 1, 1, tzinfo=UTC)


def expandable(value: datetime.datetime) -> bool:
    """Whether an aware time stored before dates were bounded can be computed with."""
    return _FLOOR <= value <= _CEILING


def in_range(value: datetime.date, tz: str | None = None) -> bool:
    """Whether a date, or a time read on the wall clock of ``tz`` (its own zone if None),
    falls within the years the calendar accepts."""
    if tz is not None and isinstance(value, datetime.datetime) and value.tzinfo is not None:
        try:
            value = value.astimezone(ZoneInfo(tz))
        except OverflowError:
            return False
    return FIRST_YEAR <= value.year <= LAST_YEAR


def to_local_naive(value: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    return value.astimezone(zone).replace(tzinfo=None)


def from_local_naive(value: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """The UTC instant of a local wall-clock time (a time skipped by a spring change takes
    the offset before the change, as RFC 5545 §3.3.5 asks)."""
    return value.replace(tzinfo=zone).astimezone(UTC)


def exdate_key(value: datetime.datetime) -> str:
    """How an excluded occurrence is stored: its original start, UTC, ISO 8601."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def occurrence_starts(
    *,
    start: datetime.datetime,
    tz: str,
    freq: str,
    interval: int = 1,
    until: datetime.datetime | None = None,
    count: int | None = None,
    exdates: Iterable[str] = (),
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    duration: datetime.timedelta = datetime.timedelta(0),
    limit: int = MAX_OCCURRENCES,
) -> list[datetime.datetime]:
    """Original starts (aware, UTC) of the occurrences that overlap the window
    ``[window_start, window_end)``, excluded ones left out, at most ``limit`` of them."""

    def overlaps(at: datetime.datetime) -> bool:
        return at < window_end and (at + duration > window_start or at >= window_start)

    if not expandable(start):
        return []  # never stored since dates are bounded; nothing to expand safely
    window_start, window_end = max(window_start, _FLOOR), min(window_end, _CEILING)
    if window_start >= window_end:
        return []
    if until is not None:
        until = min(until, _CEILING)
    duration = min(duration, _CEILING - _FLOOR)
    if not freq:
        return [start.astimezone(UTC)] if overlaps(start) else []
    zone = ZoneInfo(tz)
    rule = rrule(
        FREQUENCIES[freq],
        dtstart=to_local_naive(start, zone),
        interval=max(1, interval),
        count=count,
        until=to_local_naive(until, zone) if until else None,
    )
    skipped = set(exdates)
    # A day of slack either side covers any UTC offset; exact checks happen in UTC below.
    low = to_local_naive(window_start - duration, zone) - datetime.timedelta(days=1)
    high = to_local_naive(window_end, zone) + datetime.timedelta(days=1)
    found: list[datetime.datetime] = []
    for local in rule.xafter(low, inc=True):
        if local > high or len(found) >= limit:
            break
        at = from_local_naive(local, zone)
        if overlaps(at) and exdate_key(at) not in skipped:
            found.append(at)
    return found


def has_occurrence(
    *,
    start: datetime.datetime,
    tz: str,
    freq: str,
    interval: int = 1,
    until: datetime.datetime | None = None,
    count: int | None = None,
    exdates: Iterable[str] = (),
    horizon_days: int = 3660,
) -> bool:
    """Whether a series produces at least one occurrence (within ten years: a rule whose
    first occurrence is further away than that is treated as never happening)."""
    return bool(
        occurrence_starts(
            start=start,
            tz=tz,
            freq=freq,
            interval=interval,
            until=until,
            count=count,
            exdates=exdates,
            window_start=start,
            window_end=start + datetime.timedelta(days=horizon_days),
            limit=1,
        )
    )
