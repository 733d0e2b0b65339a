"""Writes on events: who may, what is recorded, what is refused."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from communities import services as cs
from communities.models import Activity, Notification
from communities.notifications import choices_set
from events import services
from events.models import RSVP, CalendarFeed, Event, Occurrence
from portal.core.tokens import token_hash
from tests.communities.conftest import add_member
from tests.events.conftest import PARIS, make_event, paris, schedule
from tests.factories import UserFactory

UTC = datetime.UTC


def test_a_lead_adds_an_event_and_the_activity_is_recorded(lead, project):
    event = make_event(lead, project, location="  Town   hall ")
    assert event.uid.endswith("@parvis") and event.sequence == 0
    assert event.location == "Town hall"
    assert Activity.objects.filter(community=project, verb="event.created").count() == 1


def test_members_add_events_only_when_the_community_allows_it(lead, project, colleague, julie):
    with pytest.raises(PermissionDenied):
        make_event(colleague, project)
    cs.community_update(acting_user=lead, community=project, members_add_events=True)
    event = make_event(colleague, project)
    assert event.created_by == colleague
    with pytest.raises(PermissionDenied):
        make_event(julie, project)  # guests never add events


def test_refused_events_name_the_problem(lead, project):
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            acting_user=lead,
            community=project,
            title=" ",
            schedule=services.Schedule(
                start=paris(2027, 3, 1, 11), end=paris(2027, 3, 1, 10), tz="Europe/Paris"
            ),
            online_url="javascript:alert(1)",
        )
    assert set(caught.value.message_dict) == {"title", "end", "online_url"}
    with pytest.raises(ValidationError) as caught:
        make_event(lead, project, freq="weekly", count=1_000_000_000)
    assert "count" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_event(lead, project, freq="weekly", until=paris(2027, 2, 1))
    assert "until" in caught.value.message_dict
    assert not Event.objects.exists()


def test_schedule_from_local_handles_all_day_and_zones():
    whole = services.schedule_from_local(
        tz="America/New_York",
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 3, 2),
        all_day=True,
    )
    assert whole.start.astimezone(UTC) == datetime.datetime(2027, 3, 1, 5, tzinfo=UTC)
    assert whole.end - whole.start == datetime.timedelta(days=2)
    with pytest.raises(ValidationError):
        services.schedule_from_local(tz="Mars/Olympus", start_date=datetime.date(2027, 3, 1))
    with pytest.raises(ValidationError):
        services.schedule_from_local(tz="Europe/Paris", start_date=datetime.date(2027, 3, 1))


def test_an_update_bumps_the_sequence_only_for_significant_changes(lead, project):
    event = make_event(lead, project)
    event = services.event_update(acting_user=lead, event=event, title="Steering committee #1")
    assert event.sequence == 0
    event = services.event_update(
        acting_user=lead, event=event, schedule=schedule(paris(2027, 3, 1, 14))
    )
    assert event.sequence == 1
    assert Activity.objects.filter(verb="event.updated").count() == 2
    with pytest.raises(ValueError):
        services.event_update(acting_user=lead, event=event, community=None)


def test_moving_a_series_keeps_answers_on_the_same_occurrences(lead, project, julie):
    event = make_event(lead, project, start=paris(2027, 3, 15), freq="weekly", count=4)
    after_change = paris(2027, 3, 29)  # after the spring change
    services.rsvp_set(acting_user=julie, event=event, answer="yes", occurrence_start=after_change)
    services.event_update(acting_user=lead, event=event, schedule=schedule(paris(2027, 3, 15, 14)))
    rsvp = RSVP.objects.get()
    assert rsvp.occurrence_start.astimezone(PARIS) == paris(2027, 3, 29, 14)


def test_cancelling_keeps_the_event_and_bumps_the_sequence(lead, project, julie):
    event = make_event(lead, project)
    with pytest.raises(PermissionDenied):
        services.event_cancel(acting_user=julie, event=event)
    event = services.event_cancel(acting_user=lead, event=event)
    assert Event.objects.get().status == Event.Status.CANCELLED and event.sequence == 1
    with pytest.raises(ValidationError):
        services.rsvp_set(acting_user=julie, event=event, answer="yes")


def test_one_occurrence_changed_or_cancelled_alone(lead, project):
    event = make_event(lead, project, freq="monthly", count=6)
    second = paris(2027, 4, 1).astimezone(UTC)
    services.occurrence_update(
        acting_user=lead,
        event=event,
        original_start=second,
        schedule=schedule(paris(2027, 4, 2, 15)),
        title="Steering committee (moved)",
        location="Annecy",
    )
    services.event_cancel(acting_user=lead, event=event, occurrence_start=paris(2027, 5, 1))
    overrides = {o.original_start: o for o in Occurrence.objects.all()}
    assert overrides[second].title == "Steering committee (moved)"
    assert overrides[paris(2027, 5, 1).astimezone(UTC)].cancelled
    event.refresh_from_db()
    assert event.status == Event.Status.CONFIRMED and event.sequence == 2
    with pytest.raises(ValidationError):
        services.event_cancel(acting_user=lead, event=event, occurrence_start=paris(2027, 4, 3))


def test_answers_one_per_person_and_occurrence_with_capacity(lead, project, colleague, julie):
    event = make_event(lead, project, capacity=1)
    services.rsvp_set(acting_user=julie, event=event, answer="maybe")
    services.rsvp_set(acting_user=julie, event=event, answer="yes")
    assert RSVP.objects.get().answer == "yes"
    with pytest.raises(ValidationError):
        services.rsvp_set(acting_user=colleague, event=event, answer="yes")
    services.rsvp_set(acting_user=colleague, event=event, answer="no")
    with pytest.raises(ValidationError):
        services.rsvp_set(acting_user=colleague, event=event, answer="perhaps")


def test_strangers_and_ended_guests_cannot_answer(lead, project, julie, stranger_guest):
    event = make_event(lead, project)
    with pytest.raises(PermissionDenied):
        services.rsvp_set(acting_user=stranger_guest, event=event, answer="yes")
    membership = julie.memberships.get()
    membership.expires_at = datetime.datetime.now(UTC) - datetime.timedelta(seconds=1)
    membership.save()
    with pytest.raises(PermissionDenied):
        services.rsvp_set(acting_user=julie, event=event, answer="yes")


def test_invite_all_members_tells_everyone_but_the_sender_by_their_channel(
    lead, project, colleague, julie, django_capture_on_commit_callbacks
):
    event = make_event(lead, project)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.event_invite_members(acting_user=julie, event=event)
    # The colleague chose the digest for invitations; Julie (a guest who gave no consent to
    # digests) keeps the default: an invitation is e-mailed.
    choices_set(acting_user=colleague, choices={"event": "digest"})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_invite_members(acting_user=lead, event=event) == 2
    assert [m.to[0] for m in mail.outbox] == [julie.email]
    assert "Steering committee" in mail.outbox[0].subject
    assert f"/calendar/events/{event.pk}/" in mail.outbox[0].body
    # The bell says so too, linking to the event.
    invited = Notification.objects.filter(kind="event.invited", title="Steering committee")
    assert sorted(invited.values_list("user_id", flat=True)) == sorted([colleague.pk, julie.pk])
    assert invited.first().url == f"/calendar/events/{event.pk}/"


def test_feeds_store_only_a_hash_and_rotate_and_revoke_separately(lead, project, julie):
    feed, token = services.feed_create(acting_user=julie, community=project)
    other, other_token = services.feed_create(acting_user=julie)
    assert len(token) >= 43  # 32 random bytes
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.values_list())
    new_token = services.feed_rotate(acting_user=julie, feed=feed)
    assert new_token != token and feed.token_hash == token_hash(new_token)
    services.feed_revoke(acting_user=julie, feed=feed)
    other.refresh_from_db()
    assert other.token_hash == token_hash(other_token) and other.revoked_at is None
    with pytest.raises(PermissionDenied):
        services.feed_revoke(acting_user=lead, feed=other)
    with pytest.raises(PermissionDenied):
        services.feed_rotate(acting_user=julie, feed=feed)  # revoked for good
    actions = list(
        ModelLogEntry.objects.filter(action__startswith="events.feed_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "events.feed_create",
        "events.feed_create",
        "events.feed_rotate",
        "events.feed_revoke",
    ]


def test_nobody_makes_a_feed_of_a_community_they_cannot_read(project, stranger_guest):
    with pytest.raises(PermissionDenied):
        services.feed_create(acting_user=stranger_guest, community=project)


def test_feeds_are_listed_in_the_guests_access_report_and_do_not_keep_an_account(
    client, lead, project, julie
):
    from guests import services as guest_services

    services.feed_create(acting_user=julie, community=project)
    services.feed_create(acting_user=julie)
    client.force_login(julie)
    page = client.get(f"/guests/{julie.pk}/").content.decode()
    assert "Calendar feed" in page and "All my communities" in page and "never fetched" in page
    rows = client.get(f"/guests/{julie.pk}/?format=csv").content.decode().splitlines()
    assert sum(",feed," in row for row in rows) == 2
    # A lead sees the feed on their community, not the "all my communities" one.
    client.force_login(lead)
    page = client.get(f"/guests/{julie.pk}/").content.decode()
    assert "Calendar feed" in page and "All my communities" not in page
    # Feeds open nothing by themselves: ending the last membership closes the account.
    membership = julie.memberships.get(community=project)
    guest_services.guest_end(acting_user=lead, membership=membership)
    julie.refresh_from_db()
    assert not julie.is_active


def test_a_significant_change_tells_the_invitees_not_the_person_who_changed_it(
    lead, project, colleague, julie, django_capture_on_commit_callbacks
):
    event = make_event(lead, project)
    services.event_invite_members(acting_user=lead, event=event)  # colleague and Julie
    other = UserFactory(display_name="Rita Responder")
    add_member(project, lead, other)
    services.rsvp_set(acting_user=other, event=event, answer="yes")  # answered, not invited
    services.rsvp_set(acting_user=lead, event=event, answer="yes")

    def changed():
        return sorted(
            Notification.objects.filter(kind="event.changed").values_list("user_id", flat=True)
        )

    services.event_update(acting_user=lead, event=event, title="Steering committee (room B)")
    assert changed() == []  # the title is not a significant change
    # The lead moves it: the invited and those who answered hear of it; the lead, who
    # answered yes too, does not (they made the change).
    services.event_update(acting_user=lead, event=event, schedule=schedule(paris(2027, 3, 2), 2))
    assert changed() == sorted([colleague.pk, julie.pk, other.pk])
    row = Notification.objects.filter(kind="event.changed", user=colleague).get()
    assert row.url == f"/calendar/events/{event.pk}/" and row.community == project
    assert row.channel == "email"  # the default for events: e-mailed, like an invitation
    services.event_cancel(acting_user=lead, event=event)
    assert changed() == sorted([colleague.pk, colleague.pk, julie.pk, julie.pk, other.pk, other.pk])
