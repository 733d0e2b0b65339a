"""iCalendar out (checked by an independent reader) and in (hostile files refused)."""

from __future__ import annotations

import datetime

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
