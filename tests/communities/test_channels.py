"""The channel decision (issue 19): defaults from the digest frequency, choices per topic,
rows written before channels existed, and the notification settings page."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from communities import digests, notifications
from communities import services as cs
from communities.models import Channel, DigestPreference, Notification, NotificationChoice
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Frequency = DigestPreference.Frequency


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    return person


def test_without_a_choice_a_topic_follows_the_digest_frequency_of_its_community(
    lead, project, colleague, partner
):
    # Internal people read a daily digest by default; guests nothing until they consent.
    assert notifications.channel_for(colleague, "mention", project) == Channel.DIGEST
    assert notifications.channel_for(partner, "mention", project) == Channel.NONE
    notifications.preferences_set(
        acting_user=colleague, account=Frequency.IMMEDIATE, per_community={project.pk: "off"}
    )
    assert notifications.channel_for(colleague, "mention", None) == Channel.EMAIL
    assert notifications.channel_for(colleague, "mention", project) == Channel.NONE
    notifications.preferences_set(
        acting_user=colleague, account=Frequency.WEEKLY, per_community={project.pk: None}
    )
    assert notifications.channel_for(colleague, "review.decided", project) == Channel.DIGEST
    # What asks someone to act is e-mailed, whatever the frequency, to guests too (a guest
    # asked for a review or invited to an event was always told by e-mail).
    for kind in ("review.requested", "event.invited", "event.changed", "access.ending"):
        assert notifications.channel_for(colleague, kind, project) == Channel.EMAIL
        assert notifications.channel_for(partner, kind, project) == Channel.EMAIL
    # Kinds without a topic keep their own way (no channel, never pushed).
    assert notifications.channel_for(colleague, "join.request", project) == ""


def test_a_choice_wins_over_the_default_and_removing_it_brings_the_default_back(project, colleague):
    notifications.choices_set(
        acting_user=colleague, choices={"mention": "push", "access.ending": "none"}
    )
    assert notifications.choices_of(colleague) == {"mention": "push", "access.ending": "none"}
    assert notifications.channel_for(colleague, "reply", project) == Channel.PUSH  # same topic
    assert notifications.channel_for(colleague, "access.ending", project) == Channel.NONE
    notifications.choices_set(acting_user=colleague, choices={"mention": None})
    assert notifications.channel_for(colleague, "mention", project) == Channel.DIGEST
    with pytest.raises(ValueError):
        notifications.choices_set(acting_user=colleague, choices={"mention": "pigeon"})
    with pytest.raises(ValueError):
        notifications.choices_set(acting_user=colleague, choices={"gossip": "email"})


def test_channels_for_many_people_costs_two_queries(lead, project, django_assert_num_queries):
    people = [UserFactory() for _ in range(5)]
    notifications.choices_set(acting_user=people[0], choices={"mention": "push"})
    notifications.preferences_set(acting_user=people[1], account=Frequency.IMMEDIATE)
    with django_assert_num_queries(2):
        channels = notifications.channels_for(people, "mention", project)
    assert channels[people[0].pk] == Channel.PUSH
    assert channels[people[1].pk] == Channel.EMAIL
    assert {channels[p.pk] for p in people[2:]} == {Channel.DIGEST}


def test_a_row_written_before_channels_keeps_the_frequency_rule(
    lead, project, colleague, django_capture_on_commit_callbacks
):
    post = cs.post_create(acting_user=lead, community=project, body="The plan")
    old = Notification.objects.create(
        user=colleague, kind="mention", community=project, title="Old", url="/x/", post=post
    )
    assert old.channel == ""
    # Daily: listed in the digest, not e-mailed.
    assert notifications.notification_emails_send(notification_ids=[old.pk]) == 0
    now = timezone.now()
    digest = digests.digest_build(
        user=colleague, starts_at=now - datetime.timedelta(days=1), ends_at=now
    )
    assert [item.title for item in digest.personal] == ["Old"]
    # "Immediately": e-mailed.
    notifications.preferences_set(acting_user=colleague, account=Frequency.IMMEDIATE)
    assert notifications.notification_emails_send(notification_ids=[old.pk]) == 1
    assert mail.outbox[-1].to == [colleague.email]


def test_the_digest_leaves_out_what_was_read_or_e_mailed(lead, project, colleague):
    for title in ("Read", "Mailed", "Waiting"):
        cs.post_create(
            acting_user=lead, community=project, body=f"@**Hugo Bernard** {title.lower()}"
        )
    rows = {
        n.title.split()[-1]: n for n in Notification.objects.filter(user=colleague, kind="mention")
    }
    assert {n.channel for n in rows.values()} == {Channel.DIGEST}
    notifications.notification_open(user=colleague, pk=rows["read"].pk)
    Notification.objects.filter(pk=rows["mailed"].pk).update(emailed_at=timezone.now())
    now = timezone.now()
    digest = digests.digest_build(
        user=colleague,
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(minutes=1),
    )
    assert [item.title for item in digest.personal] == ["@Hugo Bernard waiting"]


def test_an_email_row_read_before_the_task_runs_is_not_e_mailed(
    lead, project, colleague, django_capture_on_commit_callbacks
):
    notifications.choices_set(acting_user=colleague, choices={"mention": "email"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** look")
    row = Notification.objects.get(user=colleague, kind="mention")
    notifications.notification_open(user=colleague, pk=row.pk)
    for callback in callbacks:
        callback()
    assert [m for m in mail.outbox if m.to == [colleague.email]] == []


# --- The settings page -----------------------------------------------------------------------


def settings_page(client):
    return client.get(reverse("communities:notification_settings")).content.decode()


def test_the_settings_page_lists_every_topic_with_a_labelled_choice_per_channel(
    client, colleague, django_assert_max_num_queries
):
    colleague.timezone = "America/Montreal"
    colleague.save(update_fields=["timezone"])
    notifications.choices_set(acting_user=colleague, choices={"message": "push"})
    client.force_login(colleague)
    with django_assert_max_num_queries(12):
        page = settings_page(client)
    for topic, label in notifications.TOPICS.items():
        name = "id_topic_" + topic.replace(".", "_")
        assert f'<th scope="row" id="{name}_topic">{escape(label)}</th>' in page
    for topic in notifications.TOPICS:
        name = "topic_" + topic.replace(".", "_")
        for value in ("", *Channel.values):
            assert f'name="{name}" value="{value}"' in page
    # The chosen channel is checked; the others follow their default.
    assert 'name="topic_message" value="push" id="id_topic_message_1" checked' in page
    assert 'name="topic_mention" value="" id="id_topic_mention_0" checked' in page
    # Each radio has its own label (the channel's name, shown on a phone).
    assert '<label class="channel-choice" for="id_topic_message_1">' in page
    # Quiet hours: native time inputs, in the person's time zone; the devices page.
    assert 'type="time" name="quiet_hours_start"' in page
    assert "America/Montreal" in page
    assert 'href="/account/push/"' in page


def test_saving_choices_and_quiet_hours(client, colleague):
    client.force_login(colleague)
    response = client.post(
        reverse("communities:notification_settings"),
        {
            "account": "daily",
            "topic_message": "push",
            "topic_review_request": "email",
            "topic_access_ending": "",
            "quiet_hours_start": "22:30",
            "quiet_hours_end": "07:00",
        },
    )
    assert response.status_code == 302
    assert notifications.choices_of(colleague) == {"message": "push", "review.request": "email"}
    colleague.refresh_from_db()
    assert colleague.quiet_hours_start == datetime.time(22, 30)
    assert colleague.quiet_hours_end == datetime.time(7, 0)
    page = settings_page(client)
    assert 'value="22:30"' in page
    # Back to the default, quiet hours off.
    client.post(
        reverse("communities:notification_settings"),
        {"account": "daily", "topic_message": "", "quiet_hours_start": "", "quiet_hours_end": ""},
    )
    assert notifications.choices_of(colleague) == {}
    colleague.refresh_from_db()
    assert colleague.quiet_hours_start is None and colleague.quiet_hours_end is None


@pytest.mark.parametrize(
    "start, end, error",
    [
        ("22:00", "", "Give both times"),
        ("", "07:00", "Give both times"),
        ("08:00", "08:00", "another time than they start"),
    ],
)
def test_quiet_hours_need_two_different_times_or_none(client, colleague, start, end, error):
    client.force_login(colleague)
    response = client.post(
        reverse("communities:notification_settings"),
        {
            "account": "daily",
            "topic_event": "push",
            "quiet_hours_start": start,
            "quiet_hours_end": end,
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not NotificationChoice.objects.exists()  # nothing saved
    colleague.refresh_from_db()
    assert colleague.quiet_hours_start is None


def test_choosing_the_digest_without_receiving_one_is_pointed_out(client, colleague):
    client.force_login(colleague)
    notifications.choices_set(acting_user=colleague, choices={"mention": "digest"})
    warning = "You receive no digest"
    assert warning not in settings_page(client)
    notifications.preferences_set(acting_user=colleague, account=Frequency.OFF)
    assert warning in settings_page(client)


def test_the_settings_page_in_french(client, colleague):
    colleague.language = "fr"
    colleague.save(update_fields=["language"])
    client.force_login(colleague)
    page = client.get(
        reverse("communities:notification_settings"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    for french in (
        "Comment vous êtes prévenu",
        "Ce qui vous est adressé est toujours sous la cloche",
        "Notification pour",
        "Un message direct",
        "Notification push",
        "Seulement sous la cloche",
        "Par défaut\u00a0: une demande de relecture",
        "Les notifications push vont aux appareils",
        "Appareils qui reçoivent les notifications push",
        "Heures calmes",
        "Aucune notification push entre ces heures",
        "Au lieu d’un e-mail par message",
    ):
        assert escape(french) in page, french


def test_the_persons_data_holds_their_choices_and_quiet_hours(client, lead, project, colleague):
    import io
    import json
    import zipfile

    from communities import privacy

    notifications.choices_set(acting_user=colleague, choices={"event": "push"})
    notifications.quiet_hours_set(
        acting_user=colleague, start=datetime.time(22), end=datetime.time(7)
    )
    cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** hello")
    client.force_login(colleague)
    response = client.get(reverse("accounts:privacy_export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    choices = json.loads(archive.read("notification_choices.json"))
    assert [(c["topic"], c["channel"]) for c in choices] == [("event", "push")]
    profile = json.loads(archive.read("profile.json"))
    assert (profile["quiet_hours_start"], profile["quiet_hours_end"]) == ("22:00:00", "07:00:00")
    rows = json.loads(archive.read("notifications.json"))
    assert {r["channel"] for r in rows if r["kind"] == "mention"} == {"digest"}
    privacy.erase(colleague, email=colleague.email)
    assert not NotificationChoice.objects.filter(user=colleague).exists()
