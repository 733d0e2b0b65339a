from __future__ import annotations

import datetime
import zoneinfo

import pytest

from events import services
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def schedule(start: datetime.datetime, hours: float = 1, tz: str = "Europe/Paris"):
    return services.Schedule(start=start, end=start + datetime.timedelta(hours=hours), tz=tz)


def make_event(lead, community, *, title="Steering committee", start=None, hours=1, **extra):
    return services.event_create(
        acting_user=lead,
        community=community,
        title=title,
        schedule=schedule(start or paris(2027, 3, 1), hours),
        **extra,
    )


@pytest.fixture
def colleague(project, lead):
    person = UserFactory(display_name="Maxime Member")
    add_member(project, lead, person)
    return person


@pytest.fixture
def julie(project):
    person = GuestFactory(display_name="Julie Roux")
    add_guest(project, person)
    return person


@pytest.fixture
def stranger_guest(db):
    return GuestFactory(display_name="Stranger")
