"""The demo's project agenda (journey 4): a monthly steering committee across the spring
clock change, a launch, guests' answers; seeding twice changes nothing."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command

from events.models import RSVP, Event
from events.recurrence import occurrence_starts
from portal import demo

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_the_demo_agenda_crosses_the_spring_change_and_seeding_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Event.objects.count(), RSVP.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Event.objects.count(), RSVP.objects.count()) == counts == (2, 3)
    steering = Event.objects.get(uid=demo.STEERING_UID)
    assert steering.community.slug == "lakeside-trails" and steering.freq == "monthly"
    starts = occurrence_starts(
        start=steering.start,
        tz=steering.tz,
        freq=steering.freq,
        count=steering.count,
        window_start=steering.start,
        window_end=steering.start + datetime.timedelta(days=500),
    )
    offsets = {s.astimezone(PARIS).utcoffset() for s in starts}
    assert offsets == {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}
    assert {s.astimezone(PARIS).hour for s in starts} == {10}
    launch = Event.objects.get(uid=demo.LAUNCH_UID)
    assert launch.start > starts[0] and not launch.is_recurring
    guests = set(RSVP.objects.values_list("user__is_external", flat=True))
    assert guests == {True}


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2026, 11, 26), 2027),
        (datetime.date(2027, 3, 14), 2027),
        (datetime.date(2027, 3, 15), 2028),
    ],
)
def test_the_spring_year_is_always_ahead(today, year):
    assert demo._spring_year(today) == year
