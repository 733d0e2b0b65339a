"""Pushing what ``notify()`` gave the push channel (communities/push.py and the task
``send_notification_pushes``): checked when sending, not when queued."""

import datetime
import io
import json
import zipfile
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from communities import push
from communities import services as cs
from communities.models import Channel, Membership, Notification
from communities.tasks import send_notification_pushes
from portal.accounts import services as account_services
from portal.push.models import PushSubscription
from tests.communities.conftest import add_member
from tests.factories import UserFactory
from tests.push_service import subscribe

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def hugo(lead, project):
    person = UserFactory(display_name="Hugo Bernard", timezone="Europe/Paris")
    add_member(project, lead, person)
    return person


def mention(lead, project, person) -> Notification:
    """A mention of ``person``, given the push channel (what ``notify()`` decides for someone
    who chose push for mentions)."""
    cs.post_create(
        acting_user=lead, community=project, body=f"Welcome @**{person.display_name}** aboard"
    )
    notification = Notification.objects.get(user=person, kind="mention")
    Notification.objects.filter(pk=notification.pk).update(channel=Channel.PUSH)
    return notification


def test_a_push_row_is_pushed_once_and_opens_the_notification(
    client, lead, project, hugo, push_service
):
    phone = push_service.browser()
    subscribe(hugo, phone)
    notification = mention(lead, project, hugo)

    assert send_notification_pushes.delay([notification.pk]).get() == 1
    assert send_notification_pushes.delay([notification.pk]).get() == 0  # never twice

    open_url = reverse("communities:notification_open", args=[notification.pk])
    assert push_service.payloads(phone) == [
        {
            "title": "Lea Lead mentioned you (Lakeside Trails)",
            "body": "Welcome @Hugo Bernard aboard",
            "url": open_url,
            "tag": f"notification-{notification.pk}",
            "notification": notification.pk,
        }
    ]
    notification.refresh_from_db()
    assert notification.pushed_at is not None and notification.channel == Channel.PUSH
    # Opening the push marks it read (so no digest repeats it) and leads to the post.
    client.force_login(hugo)
    response = client.get(open_url)
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_payload_speaks_the_persons_language(lead, project, hugo, push_service):
    hugo.language = "fr"
    hugo.save(update_fields=["language"])
    phone = push_service.browser()
    subscribe(hugo, phone)
    send_notification_pushes.delay([mention(lead, project, hugo).pk])
    [payload] = push_service.payloads(phone)
    assert payload["title"] == "Lea Lead vous a mentionné (Lakeside Trails)"


def test_nothing_is_pushed_once_read(lead, project, hugo, push_service):
    subscribe(hugo, push_service.browser())
    notification = mention(lead, project, hugo)
    Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
    assert send_notification_pushes.delay([notification.pk]).get() == 0
    assert push_service.received == []
    notification.refresh_from_db()
    assert (notification.pushed_at, notification.channel) == (None, Channel.PUSH)


def test_nothing_is_pushed_to_someone_who_may_no_longer_see_it(lead, project, hugo, push_service):
    subscribe(hugo, push_service.browser())
    notification = mention(lead, project, hugo)  # queued while Hugo was a member
    cs.membership_remove(
        acting_user=lead, membership=Membership.objects.get(user=hugo, community=project)
    )
    assert send_notification_pushes.delay([notification.pk]).get() == 0
    assert push_service.received == []
    notification.refresh_from_db()
    assert notification.pushed_at is None


def test_only_push_rows_are_pushed(lead, project, hugo, push_service):
    subscribe(hugo, push_service.browser())
    notification = mention(lead, project, hugo)
    Notification.objects.filter(pk=notification.pk).update(channel=Channel.DIGEST)
    assert send_notification_pushes.delay([notification.pk]).get() == 0
    assert push_service.received == []


def test_with_no_device_the_push_falls_back_to_the_digest(lead, project, hugo):
    notification = mention(lead, project, hugo)
    assert push.notification_push(notification_id=notification.pk).outcome is push.Outcome.DIGEST
    notification.refresh_from_db()
    assert (notification.channel, notification.pushed_at) == (Channel.DIGEST, None)


def test_when_every_device_is_gone_the_push_falls_back_to_the_digest(
    lead, project, hugo, push_service
):
    gone = push_service.browser()
    subscribe(hugo, gone)
    push_service.answer(gone, 410)
    notification = mention(lead, project, hugo)
    assert send_notification_pushes.delay([notification.pk]).get() == 0
    assert not PushSubscription.objects.exists()
    notification.refresh_from_db()
    assert notification.channel == Channel.DIGEST


def test_quiet_hours_hold_the_push_until_they_end(lead, project, hugo, push_service):
    hugo.quiet_hours_start, hugo.quiet_hours_end = datetime.time(22), datetime.time(7)
    hugo.save(update_fields=["quiet_hours_start", "quiet_hours_end"])
    phone = push_service.browser()
    subscribe(hugo, phone)
    late = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=PARIS)
    with time_machine.travel(late, tick=False):
        notification = mention(lead, project, hugo)
        result = push.notification_push(notification_id=notification.pk)
    assert result.outcome is push.Outcome.LATER
    assert result.when == datetime.datetime(2026, 3, 11, 7, 0, tzinfo=PARIS)
    assert push_service.received == []
    with time_machine.travel(result.when, tick=False):
        assert push.notification_push(notification_id=notification.pk).outcome is (
            push.Outcome.SENT
        )
    assert len(push_service.payloads(phone)) == 1


def test_a_held_push_read_meanwhile_is_dropped(lead, project, hugo, push_service):
    hugo.quiet_hours_start, hugo.quiet_hours_end = datetime.time(22), datetime.time(7)
    hugo.save(update_fields=["quiet_hours_start", "quiet_hours_end"])
    subscribe(hugo, push_service.browser())
    with time_machine.travel(datetime.datetime(2026, 3, 10, 23, 0, tzinfo=PARIS), tick=False):
        notification = mention(lead, project, hugo)
        held = push.notification_push(notification_id=notification.pk)
    assert held.outcome is push.Outcome.LATER
    Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
    with time_machine.travel(held.when, tick=False):
        assert push.notification_push(notification_id=notification.pk).outcome is (
            push.Outcome.SKIPPED
        )
    assert push_service.received == []


def test_without_a_scheduler_a_push_in_quiet_hours_goes_to_the_digest(
    lead, project, hugo, push_service
):
    """Tasks run in-process here (no broker): nobody could wake it at 07:00."""
    hugo.quiet_hours_start, hugo.quiet_hours_end = datetime.time(22), datetime.time(7)
    hugo.save(update_fields=["quiet_hours_start", "quiet_hours_end"])
    subscribe(hugo, push_service.browser())
    with time_machine.travel(datetime.datetime(2026, 3, 10, 6, 0, tzinfo=PARIS), tick=False):
        notification = mention(lead, project, hugo)
        assert send_notification_pushes.delay([notification.pk]).get() == 0
    notification.refresh_from_db()
    assert notification.channel == Channel.DIGEST
    assert push_service.received == []


@pytest.mark.parametrize(
    ("start", "end", "local", "until"),
    [
        # across midnight, in the evening and in the morning
        ((22, 0), (7, 0), (2026, 3, 10, 22, 0), (2026, 3, 11, 7, 0)),
        ((22, 0), (7, 0), (2026, 3, 11, 6, 59), (2026, 3, 11, 7, 0)),
        ((22, 0), (7, 0), (2026, 3, 11, 7, 0), None),
        ((22, 0), (7, 0), (2026, 3, 10, 21, 59), None),
        # within one day
        ((12, 0), (14, 0), (2026, 3, 10, 13, 0), (2026, 3, 10, 14, 0)),
        ((12, 0), (14, 0), (2026, 3, 10, 14, 30), None),
        # the night the clocks go forward (29 March 2026 in Paris): 07:00 is CEST
        ((22, 0), (7, 0), (2026, 3, 28, 23, 0), (2026, 3, 29, 7, 0)),
        # equal bounds: no quiet hours
        ((9, 0), (9, 0), (2026, 3, 10, 9, 0), None),
    ],
)
def test_quiet_until(start, end, local, until):
    person = UserFactory.build(
        timezone="Europe/Paris",
        quiet_hours_start=datetime.time(*start),
        quiet_hours_end=datetime.time(*end),
    )
    now = datetime.datetime(*local, tzinfo=PARIS)
    expected = datetime.datetime(*until, tzinfo=PARIS) if until else None
    assert push.quiet_until(person, now) == expected


def test_quiet_hours_are_the_persons_local_time():
    person = UserFactory.build(
        timezone="America/New_York",
        quiet_hours_start=datetime.time(22),
        quiet_hours_end=datetime.time(7),
    )
    # 04:00 in Paris is 22:00 the day before in New York: quiet there.
    now = datetime.datetime(2026, 1, 15, 4, 0, tzinfo=PARIS)
    assert push.quiet_until(person, now) == datetime.datetime(
        2026, 1, 15, 7, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )
    assert push.quiet_until(UserFactory.build(), now) is None  # no quiet hours set


def test_a_deactivated_account_loses_its_devices_and_is_not_pushed_to(
    lead, project, hugo, push_service
):
    subscribe(hugo, push_service.browser())
    subscribe(lead, push_service.browser())
    notification = mention(lead, project, hugo)
    hugo.is_active = False
    hugo.save(update_fields=["is_active"])
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [lead.pk]
    assert send_notification_pushes.delay([notification.pk]).get() == 0
    assert push_service.received == []


def test_an_erased_account_loses_its_devices(member, push_service):
    subscribe(member, push_service.browser())
    account_services.account_erase(user=member, acting_user=member)
    assert not PushSubscription.objects.exists()


def test_devices_are_in_your_data(member, push_service):
    browser = push_service.browser()
    subscribe(member, browser, device="Firefox on Android")
    stream = account_services.account_export_stream(user=member, acting_user=member)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream)))
    [device] = json.loads(archive.read("push_devices.json"))
    assert (device["device"], device["endpoint"]) == ("Firefox on Android", browser.endpoint)
    assert device["last_success_at"] is None


def test_a_notification_without_an_actor_reads_as_a_sentence(lead, project, hugo):
    notification = mention(lead, project, hugo)
    Notification.objects.filter(pk=notification.pk).update(actor=None)
    notification.refresh_from_db()
    assert push.notification_payload(notification)["title"] == ("Mentioned you (Lakeside Trails)")
