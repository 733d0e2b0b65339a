"""An archived community's events stay in its members' agenda: they still read it."""

import datetime

import pytest
from django.utils import timezone

from communities import services as cs
from events import selectors
from tests.communities.conftest import add_member
from tests.events.conftest import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_archived_communitys_events_stay_in_its_members_agenda(lead, project):
    member, outsider = UserFactory(), UserFactory()
    add_member(project, lead, member)
    start = timezone.now() + datetime.timedelta(days=2)
    event = make_event(lead, project, title="Closing meeting", start=start)
    cs.community_archive(acting_user=lead, community=project)
    window = {"start": timezone.now(), "end": timezone.now() + datetime.timedelta(days=7)}
    for person in (lead, member):
        items = selectors.agenda(user=person, **window)
        assert [item.event.pk for item in items] == [event.pk]
    assert selectors.agenda(user=outsider, **window) == []
