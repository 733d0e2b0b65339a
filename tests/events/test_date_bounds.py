"""Every date the calendar accepts (typed, imported) or reads from a URL lies within
1900–2200: the rest is refused with a message and nothing saved, and the community's feed
stays valid iCalendar for independent readers (issue 15, item 3)."""

from __future__ import annotations

import datetime

import icalendar
import pytest
import recurring_ical_events
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events import ical, services
from events.models import CalendarImport, Event
from events.recurrence import occurrence_starts
from portal.accounts import services as account_services
from tests.events.test_ical import ics
from tests.events.test_views import _feed_path

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

OUT_OF_RANGE_FILES = {
    "endless duration": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:20270101T100000Z\r\nDURATION:P99999999D",
    "negative duration": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:20270101T100000Z\r\nDURATION:-P99999999D",
    "year 9999 daily": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:99991231T230000Z\r\nRRULE:FREQ=DAILY",
    "year 1": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:00010101T000000Z",
    "year 1 west of UTC": "UID:a@x\r\nSUMMARY:A\r\nDTSTART;TZID=America/New_York:00010101T000000",
    "year 1 all day": "UID:a@x\r\nSUMMARY:A\r\nDTSTART;VALUE=DATE:00010101",
    "year 1 floating": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:00010101T000000",
    "end in 9999": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:20270101T100000Z\r\nDTEND:99991231T235959Z",
    "until 9999 east": (
        "UID:a@x\r\nSUMMARY:A\r\nDTSTART;TZID=Pacific/Kiritimati:20270101T100000\r\n"
        "RRULE:FREQ=DAILY;UNTIL=99991231T235959Z"
    ),
    "until year 1": (
        "UID:a@x\r\nSUMMARY:A\r\nDTSTART:20270101T100000Z\r\nRRULE:FREQ=DAILY;UNTIL=00010101"
    ),
    "exdate year 1": (
        "UID:a@x\r\nSUMMARY:A\r\nDTSTART:20270101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
        "EXDATE:00010101T000000Z"
    ),
    "1899": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:18991231T100000Z",
    "2201": "UID:a@x\r\nSUMMARY:A\r\nDTSTART:22010101T100000Z",
}
CHANGED_IN_9999 = (
    "UID:a@x\r\nSUMMARY:A\r\nDTSTART:20270101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3",
    "UID:a@x\r\nSUMMARY:B\r\nRECURRENCE-ID:99991231T100000Z\r\nDTSTART:20270102T100000Z",
)


@pytest.mark.parametrize("name", OUT_OF_RANGE_FILES)
def test_an_import_out_of_range_is_refused_with_a_message_and_nothing_saved(
    client, lead, project, name
):
    client.force_login(lead)
    url = reverse("events:import", args=[project.slug])
    data = ics(OUT_OF_RANGE_FILES[name])
    answer = client.post(url, {"file": SimpleUploadedFile("bad.ics", data)})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "between the years 1900 and 2200" in text or "lasts more than a year" in text
    assert not CalendarImport.objects.exists() and not Event.objects.exists()


def test_a_changed_occurrence_in_9999_is_refused():
    with pytest.raises(ical.ImportRefused, match="RECURRENCE-ID is not between the years"):
        ical.parse_calendar(ics(*CHANGED_IN_9999), default_tz="Europe/Paris")


@pytest.mark.parametrize(
    "fields",
    [
        {"start_date": "0001-01-01"},
        {"start_date": "9999-12-31", "start_time": "23:00", "tz": "America/Los_Angeles"},
        {"start_date": "1899-12-31"},
        {"end_date": "9999-12-31", "end_time": "23:00", "tz": "Pacific/Kiritimati"},
        {"freq": "daily", "until": "9999-12-31", "tz": "Pacific/Kiritimati"},
        {"freq": "daily", "until": "2201-01-01"},
    ],
    ids=["year 1", "year 9999", "1899", "ends in 9999", "until 9999", "until 2201"],
)
def test_the_event_form_refuses_dates_out_of_range_and_saves_nothing(client, lead, project, fields):
    client.force_login(lead)
    data = {
        "title": "Far away",
        "start_date": "2027-03-01",
        "start_time": "10:00",
        "end_time": "11:00",
        "tz": "Europe/Paris",
        "interval": "1",
        **fields,
    }
    answer = client.post(reverse("events:create", args=[project.slug]), data)
    assert answer.status_code == 400
    assert "between the years 1900 and 2200" in answer.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "at", ["99991231T090000Z", "00010101T000000Z", "18991231T230000Z", "22010101T000000Z"]
)
def test_an_occurrence_key_out_of_range_in_a_url_is_not_found(client, lead, project, at):
    event = services.event_create(
        acting_user=lead,
        community=project,
        title="Daily",
        schedule=services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
        freq="daily",
        count=5,
    )
    client.force_login(lead)
    for route in ("events:detail", "events:edit"):
        assert client.get(reverse(route, args=[event.pk]), {"at": at}).status_code == 404
    cancel = client.post(reverse("events:cancel", args=[event.pk]), {"at": at})
    assert cancel.status_code == 404
    assert not Event.objects.get().is_cancelled
    rsvp = client.post(reverse("events:rsvp", args=[event.pk]), {"answer": "yes", "occurrence": at})
    assert rsvp.status_code == 404


def test_an_rsvp_for_an_occurrence_in_year_1_is_refused(lead, project):
    event = services.event_create(
        acting_user=lead,
        community=project,
        title="Daily",
        schedule=services.schedule_from_local(
            tz="America/New_York", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
        freq="daily",
        count=5,
    )
    for at in (datetime.datetime(1, 1, 1, tzinfo=UTC), datetime.datetime.max.replace(tzinfo=UTC)):
        with pytest.raises(services.ValidationError):
            services.rsvp_set(acting_user=lead, event=event, answer="yes", occurrence_start=at)


def test_expansion_never_overflows_whatever_the_window():
    start = datetime.datetime(2200, 12, 31, 23, tzinfo=UTC)
    found = occurrence_starts(
        start=start,
        tz="Pacific/Kiritimati",
        freq="daily",
        until=datetime.datetime.max.replace(tzinfo=UTC),
        window_start=datetime.datetime.min.replace(tzinfo=UTC),
        window_end=datetime.datetime.max.replace(tzinfo=UTC),
        duration=datetime.timedelta(days=999_999_999),
    )
    assert found[0] == start and found[-1] < datetime.datetime(2202, 1, 1, tzinfo=UTC)
    year_one = datetime.datetime(1, 1, 1, tzinfo=UTC)
    assert not occurrence_starts(
        start=year_one,
        tz="America/New_York",
        freq="daily",
        window_start=year_one,
        window_end=datetime.datetime.max.replace(tzinfo=UTC),
    )


def test_the_feed_with_events_at_both_bounds_stays_valid_icalendar(client, lead, project, julie):
    first = services.event_create(
        acting_user=lead,
        community=project,
        title="First",
        schedule=services.schedule_from_local(
            tz="America/New_York",
            start_date=datetime.date(1900, 1, 1),
            start_time=datetime.time(0, 0),
            end_time=datetime.time(1, 0),
        ),
    )
    last = services.event_create(
        acting_user=lead,
        community=project,
        title="Last",
        schedule=services.schedule_from_local(
            tz="Pacific/Kiritimati",
            start_date=datetime.date(2200, 12, 31),
            start_time=datetime.time(23, 0),
            end_time=datetime.time(23, 30),
        ),
        freq="daily",
    )
    # Attempts that were refused above leave no trace either.
    client.force_login(lead)
    client.post(
        reverse("events:import", args=[project.slug]),
        {"file": SimpleUploadedFile("bad.ics", ics(OUT_OF_RANGE_FILES["year 1"]))},
    )
    for event in (first, last):
        assert client.get(reverse("events:detail", args=[event.pk])).status_code == 200
    client.force_login(julie)
    path = _feed_path(client, project)
    client.logout()
    body = client.get(path).content
    calendar = icalendar.Calendar.from_ical(body)
    assert not [e for e in calendar.walk("VEVENT") if e.errors]
    assert b"DTSTART;TZID=America/New_York:19000101T000000" in body
    assert b"DTSTART;TZID=Pacific/Kiritimati:22001231T230000" in body
    seen = recurring_ical_events.of(calendar).between(
        datetime.date(1899, 12, 1), datetime.date(2201, 1, 3)
    )
    assert [str(o["SUMMARY"]) for o in seen] == ["First", "Last", "Last", "Last"]


def test_the_refusal_is_translated(client, lead, project):
    account_services.user_profile_update(user=lead, acting_user=lead, language="fr")
    client.force_login(lead)
    data = {"title": "Loin", "start_date": "0001-01-01", "all_day": "on", "tz": "Europe/Paris"}
    answer = client.post(reverse("events:create", args=[project.slug]), data)
    assert "Les dates doivent se situer entre les années 1900 et 2200." in answer.content.decode()


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2201-01-01T00:00Z"]
)
def test_the_api_refuses_an_rsvp_out_of_range(client, lead, project, at):
    event = services.event_create(
        acting_user=lead,
        community=project,
        title="Daily",
        schedule=services.schedule_from_local(
            tz="America/New_York", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
        freq="daily",
        count=5,
    )
    client.force_login(lead)
    answer = client.post(
        reverse("api:rsvp", args=[event.pk]),
        {"answer": "yes", "occurrence_start": at},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert not event.rsvps.exists()


def test_an_event_stored_in_year_1_before_the_bounds_leaves_the_feed_valid(
    client, lead, project, julie
):
    kept = services.event_create(
        acting_user=lead,
        community=project,
        title="Kept",
        schedule=services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
    )
    old = services.event_create(
        acting_user=lead,
        community=project,
        title="Year one",
        schedule=services.schedule_from_local(
            tz="America/New_York", start_date=datetime.date(2027, 3, 1), all_day=True
        ),
    )
    # What the calendar accepted before dates were bounded: no service writes this any more.
    year_one = datetime.datetime(1, 1, 1, tzinfo=UTC)
    Event.objects.filter(pk=old.pk).update(start=year_one, end=year_one)
    client.force_login(lead)
    assert client.get(reverse("events:detail", args=[old.pk])).status_code == 404
    assert client.get(reverse("events:community", args=[project.slug])).status_code == 200
    client.force_login(julie)
    path = _feed_path(client, project)
    client.logout()
    calendar = icalendar.Calendar.from_ical(client.get(path).content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [kept.title]
