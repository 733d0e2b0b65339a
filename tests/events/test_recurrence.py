"""Series are computed in the event's zone: 10:00 in Paris stays 10:00 across clock changes."""

import datetime

from events.recurrence import exdate_key, has_occurrence, occurrence_starts
from tests.events.conftest import PARIS, paris

UTC = datetime.UTC


def test_a_weekly_series_keeps_its_local_time_across_the_spring_change():
    starts = occurrence_starts(
        start=paris(2027, 3, 15),
        tz="Europe/Paris",
        freq="weekly",
        window_start=paris(2027, 3, 1),
        window_end=paris(2027, 4, 15),
    )
    local = [s.astimezone(PARIS) for s in starts]
    assert [d.day for d in local] == [15, 22, 29, 5, 12]
    assert {(d.hour, d.minute) for d in local} == {(10, 0)}
    # ...which is 09:00 UTC before the change (last Sunday of March) and 08:00 after it
    assert starts[1].astimezone(UTC).hour == 9
    assert starts[2].astimezone(UTC).hour == 8


def test_expansion_is_bounded_by_the_window_and_the_limit():
    huge = occurrence_starts(
        start=paris(2000, 1, 1),
        tz="Europe/Paris",
        freq="daily",
        count=1_000_000_000,
        window_start=paris(2027, 1, 1),
        window_end=paris(2027, 1, 8),
    )
    assert len(huge) == 7
    limited = occurrence_starts(
        start=paris(2027, 1, 1),
        tz="Europe/Paris",
        freq="daily",
        window_start=paris(2027, 1, 1),
        window_end=paris(2030, 1, 1),
        limit=10,
    )
    assert len(limited) == 10


def test_count_until_interval_and_exceptions():
    start = paris(2027, 1, 4)
    common = {
        "start": start,
        "tz": "Europe/Paris",
        "window_start": paris(2026, 1, 1),
        "window_end": paris(2028, 1, 1),
    }
    assert len(occurrence_starts(freq="weekly", count=3, **common)) == 3
    fortnightly = occurrence_starts(freq="weekly", interval=2, count=3, **common)
    assert [s.astimezone(PARIS).day for s in fortnightly] == [4, 18, 1]
    until = occurrence_starts(freq="monthly", until=paris(2027, 3, 31, 23), **common)
    assert len(until) == 3
    skipped = occurrence_starts(
        freq="weekly", count=3, exdates=[exdate_key(paris(2027, 1, 11))], **common
    )
    assert [s.astimezone(PARIS).day for s in skipped] == [4, 18]


def test_a_one_off_event_overlapping_the_window_is_found():
    start = paris(2027, 1, 31, 23)
    found = occurrence_starts(
        start=start,
        tz="Europe/Paris",
        freq="",
        window_start=paris(2027, 2, 1, 0),
        window_end=paris(2027, 3, 1, 0),
        duration=datetime.timedelta(hours=2),
    )
    assert found == [start.astimezone(UTC)]


def test_a_series_whose_only_occurrences_are_excluded_has_none():
    start = paris(2027, 1, 4)
    excluded = [exdate_key(paris(2027, 1, 4)), exdate_key(paris(2027, 1, 11))]
    assert has_occurrence(start=start, tz="Europe/Paris", freq="weekly", count=3)
    assert not has_occurrence(
        start=start, tz="Europe/Paris", freq="weekly", count=2, exdates=excluded
    )


def _weekly_event(**extra):
    from events.models import Event

    start = paris(2027, 3, 15)  # 10:00 in Paris, an hour long
    return Event(
        start=start,
        end=start + datetime.timedelta(hours=1),
        tz="Europe/Paris",
        freq="weekly",
        **({"count": 4} if "until" not in extra else {}),
        **extra,
    )


def test_an_event_expands_itself_in_its_zone_with_its_skipped_dates():
    skipped = paris(2027, 3, 22)
    event = _weekly_event(exdates=[exdate_key(skipped)])
    starts = event.occurrences(paris(2027, 3, 1), paris(2027, 5, 1))
    assert [s.astimezone(PARIS).day for s in starts] == [15, 29, 5]
    assert all(s.astimezone(PARIS).hour == 10 for s in starts)
    # A skipped date is still one of the series' dates (it may be given its own times).
    everything = event.occurrences(paris(2027, 3, 1), paris(2027, 5, 1), skip_excluded=False)
    assert skipped in everything and len(everything) == 4
    assert event.occurrences(paris(2027, 3, 1), paris(2027, 5, 1), limit=2) == starts[:2]


def test_an_occurrence_under_way_overlaps_a_window_opening_during_it():
    event = _weekly_event()
    half_past = paris(2027, 3, 22) + datetime.timedelta(minutes=30)
    assert event.occurrences(half_past, half_past + datetime.timedelta(minutes=1)) == [
        paris(2027, 3, 22)
    ]
    assert event.has_occurrence()
    assert not _weekly_event(until=paris(2027, 3, 14)).has_occurrence()
