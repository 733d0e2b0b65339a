"""iCalendar out (checked by an independent reader) and in (hostile files refused)."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from events import ical, services
from events.models import Event
from events.selectors import event_list_visible_to
from tests.events.conftest import PARIS, make_event, paris

UTC = datetime.UTC


def _export(user, community) -> bytes:
    return ical.build_calendar(event_list_visible_to(user=user, community=community))


def test_an_independent_reader_keeps_10_00_local_across_the_spring_change(lead, project):
    # The clock changes on Sunday 28 March 2027 in Paris.
    make_event(lead, project, start=paris(2027, 3, 15), freq="weekly", count=4)
    make_event(lead, project, title="Monthly", start=paris(2027, 1, 29), freq="monthly", count=4)
    data = _export(lead, project)
    calendar = icalendar.Calendar.from_ical(data)
    occurrences = recurring_ical_events.of(calendar).between(
        datetime.date(2027, 1, 1), datetime.date(2027, 6, 1)
    )
    weekly = sorted(o["DTSTART"].dt for o in occurrences if str(o["SUMMARY"]) != "Monthly")
    assert [d.astimezone(PARIS).day for d in weekly] == [15, 22, 29, 5]
    assert {d.astimezone(PARIS).strftime("%H:%M") for d in weekly} == {"10:00"}
    assert weekly[1].astimezone(UTC).hour == 9 and weekly[2].astimezone(UTC).hour == 8
    monthly = sorted(o["DTSTART"].dt for o in occurrences if str(o["SUMMARY"]) == "Monthly")
    # February 2027 has no 29th: RFC 5545 skips it (and it does not count)
    assert [(d.month, d.day) for d in monthly] == [(1, 29), (3, 29), (4, 29), (5, 29)]
    assert {d.astimezone(PARIS).strftime("%H:%M") for d in monthly} == {"10:00"}


def test_feed_structure_uid_sequence_status_timezones(lead, project):
    event = make_event(lead, project, freq="weekly", count=5)
    services.event_cancel(acting_user=lead, event=event, occurrence_start=paris(2027, 3, 8))
    services.occurrence_update(
        acting_user=lead,
        event=event,
        original_start=paris(2027, 3, 15).astimezone(UTC),
        schedule=services.Schedule(
            start=paris(2027, 3, 15, 14), end=paris(2027, 3, 15, 15), tz="Europe/Paris"
        ),
        title="Moved",
    )
    gone = make_event(lead, project, title="Launch", start=paris(2027, 6, 1, 18))
    services.event_cancel(acting_user=lead, event=gone)
    text = _export(lead, project).decode()
    assert text.count("BEGIN:VTIMEZONE") == 1 and "TZID:Europe/Paris" in text
    assert "DTSTART;TZID=Europe/Paris:20270301T100000" in text
    assert "RRULE:FREQ=WEEKLY;COUNT=5" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20270308T100000" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20270315T100000" in text
    assert text.count("STATUS:CANCELLED") == 2
    calendar = icalendar.Calendar.from_ical(text)
    masters = [c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" not in c]
    event.refresh_from_db()
    series = next(c for c in masters if str(c["UID"]) == event.uid)
    assert series["SEQUENCE"] == event.sequence == 2
    assert series["LAST-MODIFIED"].dt == event.updated_at.replace(microsecond=0)
    found = recurring_ical_events.of(calendar).between(
        datetime.date(2027, 3, 1), datetime.date(2027, 4, 30)
    )
    titles = sorted((o["DTSTART"].dt.astimezone(PARIS), str(o["SUMMARY"])) for o in found)
    assert (paris(2027, 3, 15, 14), "Moved") in titles
    assert all(d != paris(2027, 3, 15) for d, _t in titles)
    # the same events give the same bytes (a stable ETag for feeds)
    assert _export(lead, project).decode() == text


def test_exceptions_and_all_day_events(lead, project):
    event = make_event(lead, project, freq="daily", count=3)
    services.event_update(
        acting_user=lead,
        event=event,
        schedule=services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
    )
    event = Event.objects.get()
    event.exdates = [paris(2027, 3, 2, 0).astimezone(UTC).isoformat()]
    event.save()
    text = _export(lead, project).decode()
    assert "DTSTART;VALUE=DATE:20270301" in text and "DTEND;VALUE=DATE:20270302" in text
    assert "EXDATE;VALUE=DATE:20270302" in text
    days = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
        datetime.date(2027, 2, 1), datetime.date(2027, 4, 1)
    )
    assert sorted(o["DTSTART"].dt for o in days) == [
        datetime.date(2027, 3, 1),
        datetime.date(2027, 3, 3),
    ]


# (A CR LF pair inside a value comes back as one line break: iCalendar has only "\n".)
HOSTILE_TITLE = 'Launch, "phase 1"; part\nEND:VCALENDAR\nBEGIN:VEVENT\\ ;'


def test_titles_and_descriptions_are_escaped_and_round_trip(lead, project):
    make_event(lead, project, title="Plain")
    event = make_event(
        lead, project, title="x", description="Line 1\nEND:VEVENT\nBEGIN:VALARM; a, b\\"
    )
    Event.objects.filter(pk=event.pk).update(title=HOSTILE_TITLE)
    data = _export(lead, project)
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    parsed = next(e for e in events if str(e["UID"]) == event.uid)
    assert str(parsed["SUMMARY"]) == HOSTILE_TITLE
    assert str(parsed["DESCRIPTION"]) == "Line 1\nEND:VEVENT\nBEGIN:VALARM; a, b\\"
    lines = data.decode().split("\r\n")
    assert lines.count("END:VCALENDAR") == 1 and lines.count("BEGIN:VEVENT") == 2


# --- The direct writer against icalendar's component model -------------------------------
# The feed's VEVENTs are written directly for speed; the reference below is how they were
# written with icalendar's component model, and both must read back the same.


def _ref_times(vevent: icalendar.Event, *, start, end, tz: str, all_day: bool) -> None:
    if all_day:
        vevent.add("dtstart", ical._local(start, tz).date())
        vevent.add("dtend", ical._local(end, tz).date())
    else:
        vevent.add("dtstart", ical._local(start, tz))
        vevent.add("dtend", ical._local(end, tz))


def _ref_stamp(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC).replace(microsecond=0)


def _ref_vevent(event: Any, *, url: str | None) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _ref_stamp(event.updated_at))
    vevent.add("created", _ref_stamp(event.created_at))
    vevent.add("last-modified", _ref_stamp(event.updated_at))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    _ref_times(vevent, start=event.start, end=event.end, tz=event.tz, all_day=event.all_day)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.online_url:
        vevent.add("conference", event.online_url, parameters={"VALUE": "URI"})
    if url:
        vevent.add("url", url)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if event.freq:
        rule: dict[str, Any] = {"freq": ical.RRULE_FREQ[event.freq]}
        if event.interval > 1:
            rule["interval"] = event.interval
        if event.count:
            rule["count"] = event.count
        elif event.until:
            rule["until"] = (
                ical._local(event.until, event.tz).date()
                if event.all_day
                else _ref_stamp(event.until)
            )
        vevent.add("rrule", rule)
        if event.exdates:
            excluded = [datetime.datetime.fromisoformat(value) for value in event.exdates]
            if event.all_day:
                vevent.add("exdate", [ical._local(value, event.tz).date() for value in excluded])
            else:
                vevent.add("exdate", [ical._local(value, event.tz) for value in excluded])
    return vevent


def _ref_override(event: Any, override: Any) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _ref_stamp(override.updated_at))
    vevent.add("last-modified", _ref_stamp(override.updated_at))
    vevent.add("sequence", event.sequence)
    if event.all_day:
        vevent.add("recurrence-id", ical._local(override.original_start, event.tz).date())
    else:
        vevent.add("recurrence-id", ical._local(override.original_start, event.tz))
    vevent.add("summary", override.title)
    _ref_times(vevent, start=override.start, end=override.end, tz=event.tz, all_day=event.all_day)
    if override.description:
        vevent.add("description", override.description)
    if override.location:
        vevent.add("location", override.location)
    cancelled = override.cancelled or event.is_cancelled
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def reference_event_bytes(event: Any, *, url: str | None = None) -> bytes:
    """The VEVENT of ``event`` (with its ``overrides`` loaded), and one per changed
    occurrence: the part of a calendar that can be cached per event and change."""
    parts = [_ref_vevent(event, url=url).to_ical()]
    parts.extend(_ref_override(event, o).to_ical() for o in event.overrides.all())
    return b"".join(parts)


def _properties(data: bytes) -> list[list[tuple[str, str, dict]]]:
    """Each VEVENT's properties as (name, decoded value, parameters), in a stable order."""
    calendar = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + data + b"END:VCALENDAR\r\n")
    found = []
    for vevent in calendar.walk("VEVENT"):
        rows = []
        for name, value in vevent.property_items(recursive=False):
            if name in ("BEGIN", "END"):
                continue
            rows.append((name, value.to_ical().decode(), dict(value.params)))
        found.append(sorted(rows))
    return found


def test_the_direct_writer_reads_back_as_icalendar_wrote(lead, project):
    long = "Comité de pilotage — « tracé nord », budget; signalétique, devis\\ " * 3
    make_event(lead, project, title=long, description=long + "\nline two", location="Salle, 2")
    make_event(lead, project, title="Weekly", freq="weekly", interval=2, count=6)
    series = make_event(lead, project, title="Until", freq="monthly", until=paris(2027, 12, 1))
    services.event_cancel(acting_user=lead, event=series, occurrence_start=paris(2027, 4, 1))
    services.occurrence_update(
        acting_user=lead,
        event=series,
        original_start=paris(2027, 5, 1),
        title="Moved",
        schedule=services.Schedule(
            start=paris(2027, 5, 2), end=paris(2027, 5, 2, 11), tz="Europe/Paris"
        ),
    )
    make_event(lead, project, title="UTC", start=datetime.datetime(2027, 3, 1, 9, tzinfo=UTC))
    utc = Event.objects.get(title="UTC")
    Event.objects.filter(pk=utc.pk).update(tz="UTC", freq="daily", count=3)
    day = services.event_create(
        acting_user=lead,
        community=project,
        title="All day",
        schedule=services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
        freq="weekly",
        count=4,
        online_url="https://meet.example.org/x?a=1,b;c",
    )
    services.event_cancel(
        acting_user=lead, event=day, occurrence_start=day.start + datetime.timedelta(days=7)
    )
    events = list(event_list_visible_to(user=lead, community=project))
    assert len(events) == 5
    for event in events:
        url = f"https://parvis.example.org/events/{event.pk}/"
        ours = ical.event_bytes(event, url=url)
        assert all(len(line) <= 75 for line in ours.split(b"\r\n"))
        mine = _properties(ours)
        assert len(mine) == 1 + event.overrides.count() and len(mine[0]) >= 10
        assert mine == _properties(reference_event_bytes(event, url=url)), event.title


# --- Import -----------------------------------------------------------------------------


def ics(*events: str, extra: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{extra}{body}END:VCALENDAR\r\n"
    ).encode()


GOOD = """UID:launch-1@example.org
SUMMARY:Trail launch
DTSTART;TZID=Europe/Paris:20270601T180000
DTEND;TZID=Europe/Paris:20270601T200000
LOCATION:Lakeside"""


def test_a_good_file_is_read():
    (event,) = ical.parse_calendar(
        ics(
            GOOD,
            """UID:series@example.org
SUMMARY:Weekly
DTSTART:20270301T090000Z
DURATION:PT1H
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4
EXDATE:20270308T090000Z""",
        ),
        default_tz="Europe/Paris",
    )[:1]
    assert event.title == "Trail launch" and event.tz == "Europe/Paris"
    assert event.start == paris(2027, 6, 1, 18).astimezone(UTC)
    series = ical.parse_calendar(ics(GOOD, GOOD.replace("launch-1", "2")), default_tz="UTC")
    assert len(series) == 2


@pytest.mark.parametrize(
    "tzid", ["Romance Standard Time", "/mozilla.org/20050126_1/Europe/Paris", '"Europe/Paris"']
)
def test_windows_and_vendor_zone_names_are_understood(tzid):
    (event,) = ical.parse_calendar(
        ics(GOOD.replace("TZID=Europe/Paris", f"TZID={tzid}")), default_tz="UTC"
    )
    assert event.tz == "Europe/Paris"
    assert event.start == paris(2027, 6, 1, 18).astimezone(UTC)


def test_changed_occurrences_are_imported_with_their_series():
    (event,) = ical.parse_calendar(
        ics(
            "UID:s@x\nSUMMARY:Weekly\nDTSTART:20270301T090000Z\nRRULE:FREQ=WEEKLY;COUNT=3",
            "UID:s@x\nSUMMARY:Moved\nRECURRENCE-ID:20270308T090000Z\nDTSTART:20270309T090000Z",
        )
        .replace(b"\n", b"\r\n")
        .replace(b"\r\r\n", b"\r\n"),
        default_tz="UTC",
    )
    assert [o.title for o in event.overrides] == ["Moved"]


HOSTILE = {
    "truncated": (ics(GOOD)[:-30], "cut short"),
    "not utf-8": (
        ics(GOOD.replace("Trail launch", "Lanc\xe9ment")).decode().encode("latin-1"),
        "UTF-8",
    ),
    "no dtstart": (ics("UID:a\nSUMMARY:No start".replace("\n", "\r\n")), "DTSTART"),
    "end before start": (
        ics(GOOD.replace("20270601T200000", "20270601T100000")),
        "ends before it starts",
    ),
    "unknown zone": (ics(GOOD.replace("Europe/Paris", "Mars/Olympus")), "Mars/Olympus"),
    "huge count": (
        ics(GOOD + "\nRRULE:FREQ=DAILY;COUNT=1000000000".replace("\n", "\r\n")),
        "COUNT=1000000000",
    ),
    "never occurs": (
        ics(
            (
                GOOD + "\nRRULE:FREQ=WEEKLY;COUNT=1\nEXDATE;TZID=Europe/Paris:20270601T180000"
            ).replace("\n", "\r\n")
        ),
        "never produces an occurrence",
    ),
    "until before start": (
        ics(GOOD + "\r\nRRULE:FREQ=DAILY;UNTIL=20200101T000000Z"),
        "never produces an occurrence",
    ),
    "unsupported rule": (
        ics(GOOD + "\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
        "not supported",
    ),
    "too many components": (
        ics(*[GOOD.replace("launch-1", f"n{i}").replace("\n", "\r\n") for i in range(5001)]),
        "components",
    ),
    "too large": (
        ics(GOOD.replace("\n", "\r\n"), extra="X-PAD:" + "a" * 1_100_000 + "\r\n"),
        "larger",
    ),
    "bare CR inside a value": (
        ics(GOOD.replace("Trail launch", "Trail\rlaunch")),
        "carriage return",
    ),
    "END:VEVENT smuggled in a value": (
        ics(GOOD.replace("LOCATION:Lakeside", "LOCATION:Lake\\nEND:VEVENT")),
        "component marker",
    ),
    "line break in a title": (ics(GOOD.replace("Trail launch", "Trail\\nlaunch")), "line break"),
    "garbage date": (ics(GOOD.replace("20270601T180000", "tomorrow")), "could not be read"),
    "not a calendar": (b"hello", "not an iCalendar file"),
    "empty calendar": (ics(), "no event"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_with_a_message_naming_the_problem(name):
    data, expected = HOSTILE[name]
    with pytest.raises(ical.ImportRefused) as caught:
        ical.parse_calendar(data, default_tz="Europe/Paris")
    assert expected in str(caught.value)


def test_import_is_all_or_nothing_and_a_second_import_updates(lead, project):
    pending, found = services.import_upload(
        acting_user=lead, community=project, file_name="agenda.ics", data=ics(GOOD)
    )
    assert [f.title for f in found] == ["Trail launch"]
    assert services.import_confirm(acting_user=lead, pending=pending) == (1, 0)
    changed = ics(GOOD.replace("180000", "190000").replace("Trail launch", "Trail launch!"))
    again, _found = services.import_upload(
        acting_user=lead, community=project, file_name="agenda.ics", data=changed
    )
    assert services.import_confirm(acting_user=lead, pending=again) == (0, 1)
    event = Event.objects.get()
    assert event.title == "Trail launch!" and event.sequence == 1
    with pytest.raises(ical.ImportRefused):
        services.import_upload(
            acting_user=lead, community=project, file_name="bad.ics", data=HOSTILE["no dtstart"][0]
        )
    assert Event.objects.count() == 1


def _series_file(n: int, moved_title: str) -> bytes:
    events = [GOOD.replace("launch-1", f"n{i}").replace("\n", "\r\n") for i in range(n)] + [
        "UID:s@x\r\nSUMMARY:Weekly\r\nDTSTART:20270301T090000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3",
        f"UID:s@x\r\nSUMMARY:{moved_title}\r\nRECURRENCE-ID:20270308T090000Z\r\n"
        "DTSTART:20270309T090000Z",
    ]
    return ics(*events)


def test_a_large_import_costs_a_few_statements_and_reimport_replaces_changed_occurrences(
    lead, project, django_assert_max_num_queries
):
    from events.models import Occurrence

    pending, _found = services.import_upload(
        acting_user=lead, community=project, file_name="big.ics", data=_series_file(1000, "Moved")
    )
    with django_assert_max_num_queries(40):  # batches of 500, not a statement per event
        assert services.import_confirm(acting_user=lead, pending=pending) == (1001, 0)
    assert Occurrence.objects.get().title == "Moved"
    again, _found = services.import_upload(
        acting_user=lead,
        community=project,
        file_name="big.ics",
        data=_series_file(1000, "Moved again"),
    )
    with django_assert_max_num_queries(40):  # batches of 500, not a statement per event
        assert services.import_confirm(acting_user=lead, pending=again) == (0, 1001)
    assert list(Occurrence.objects.values_list("title", flat=True)) == ["Moved again"]
    assert Event.objects.filter(community=project).count() == 1001
