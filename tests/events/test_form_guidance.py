"""The event form guides: the end date shows only when the event ends on another day
(``multi_day``), which the form knows on its own from the dates it is given."""

from __future__ import annotations

import datetime

from events.forms import EventForm, schedule_initial


def data(**extra):
    return {
        "title": "Site visit",
        "start_date": "2026-11-08",
        "start_time": "09:00",
        "end_time": "10:00",
        "tz": "Europe/Paris",
        **extra,
    }


def test_an_end_on_another_day_keeps_its_field_shown_when_sent_without_javascript():
    form = EventForm(data(end_date="2026-11-09"))
    assert form["multi_day"].value() is True
    assert form.is_valid(), form.errors
    assert form.schedule.end.date() == datetime.date(2026, 11, 9)


def test_the_same_day_or_no_end_date_keeps_it_folded():
    assert EventForm(data())["multi_day"].value() is False
    assert EventForm(data(end_date="2026-11-08"))["multi_day"].value() is False


def test_an_event_edited_opens_its_end_date_only_when_it_ends_another_day():
    zone = datetime.UTC
    start = datetime.datetime(2026, 11, 8, 9, tzinfo=zone)
    same_day = schedule_initial(start=start, end=start.replace(hour=10), tz="UTC", all_day=False)
    assert same_day["multi_day"] is False
    two_days = schedule_initial(
        start=start, end=start + datetime.timedelta(days=1), tz="UTC", all_day=False
    )
    assert two_days["multi_day"] is True
    # An all-day event on one day ends, in the model, at the next midnight: still one day.
    one_day = schedule_initial(
        start=start.replace(hour=0),
        end=start.replace(hour=0) + datetime.timedelta(days=1),
        tz="UTC",
        all_day=True,
    )
    assert one_day["multi_day"] is False
