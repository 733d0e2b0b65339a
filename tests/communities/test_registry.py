"""Upper apps register their notification kinds and activity verbs with the floor; the
floor lists only its own, and the labels still read the same everywhere."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from communities import extensions
from communities import services as cs
from communities.models import Activity, Notification
from documents import services as ds
from events import services as es
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_floor_lists_only_its_own_kinds_and_verbs():
    floor_kinds = set(Notification.Kind.values)
    floor_verbs = set(Activity.Verb.values)
    assert all(not k.startswith(("review.", "event.")) for k in floor_kinds)
    assert all(not v.startswith(("event.", "document.")) for v in floor_verbs)
    # and the upper apps' are registered (by their AppConfig.ready), with the same values
    # that are stored today
    kinds = dict(extensions.notification_kinds())
    verbs = dict(extensions.activity_verbs())
    assert {"review.requested", "review.decided", "event.invited"} <= set(kinds)
    assert floor_kinds <= set(kinds)
    assert set(es.VERBS) | set(ds.VERBS) | floor_verbs <= set(verbs)
    field = Notification._meta.get_field("kind")
    assert all(len(value) <= field.max_length for value in kinds)
    assert all(len(value) <= Activity._meta.get_field("verb").max_length for value in verbs)


def test_a_registered_kind_reads_with_its_label_in_each_language(lead, project):
    person = UserFactory()
    add_member(project, lead, person)
    start = timezone.now() + datetime.timedelta(days=3)
    event = es.event_create(
        acting_user=lead,
        community=project,
        title="Steering",
        schedule=es.Schedule(start=start, end=start + datetime.timedelta(hours=1), tz="UTC"),
    )
    es.event_invite_members(acting_user=lead, event=event)
    notification = Notification.objects.get(user=person, kind="event.invited")
    assert notification.get_kind_display() == "invites you to an event"
    with translation.override("fr"):
        assert notification.get_kind_display() == "vous invite à un événement"
    activity = Activity.objects.filter(verb=es.VERB_CREATED).get()
    assert activity.get_verb_display() == "added an event"
    # full_clean accepts a registered value and refuses an unknown one
    notification.full_clean()
    notification.kind = "nobody.registered"
    with pytest.raises(Exception, match="kind"):
        notification.full_clean()


def test_the_floor_own_verbs_keep_their_labels(lead, project):
    post = cs.post_create(acting_user=lead, community=project, body="Hello")
    activity = Activity.objects.get(verb=Activity.Verb.POST_CREATED, target_id=post.pk)
    assert activity.get_verb_display() == "posted"
