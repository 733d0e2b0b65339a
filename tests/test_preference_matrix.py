"""The preference matrix (issue 19): for each topic a person may choose a channel for, and
each channel, exactly the chosen channel fires, once — an e-mail in the outbox, a line under
"For you" in the digest, a push handed to the push task, or nothing beside the bell — and
the bell lists it every time.

Each topic is reached the way a person meets it: a direct message left unread, a mention in
a post, a review request, a decision on one's review request, an event invitation, a guest's
access ending soon. The on-commit work (the e-mail and push tasks, run in-process as in the
embedded default) is run after the row's channel is read, and the Celery tasks that start
are recorded with Celery's own ``task_prerun`` signal.
"""

from __future__ import annotations

import datetime

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities import digests, notifications
from communities import services as cs
from communities.models import Channel, Notification
from conversations import services as conversations
from documents import services as documents
from events import services as events
from guests import services as guests
from tests.communities.conftest import add_member
from tests.conversations.notify_support import run
from tests.events.conftest import make_event
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
FRIDAY = timezone.localdate() + datetime.timedelta(days=4)
PUSH_TASK = "communities.tasks.send_notification_pushes"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    return person


@pytest.fixture
def started_tasks():
    """(task name, its first argument) of every Celery task that starts during the test."""
    seen: list[tuple[str, object]] = []

    def record(sender=None, args=None, **kwargs):
        seen.append((sender.name, (args or [None])[0]))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


# --- One scenario per topic: (set-up) → a trigger telling ``recipient`` of one thing ---------


def _document(lead, project):
    return documents.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("charter.pdf", PDF)
    )


def message(lead, project, colleague):
    conversation = conversations.conversation_start(acting_user=lead, people=[colleague])

    def trigger():
        conversations.message_send(
            acting_user=lead, conversation=conversation, body="Can we meet on Friday?"
        )
        run()  # the beat task, past the delay

    return colleague, "conversation.message", trigger


def mention(lead, project, colleague):
    def trigger():
        cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** the plan")

    return colleague, "mention", trigger


def review_request(lead, project, colleague):
    document = _document(lead, project)

    def trigger():
        documents.review_request_create(
            acting_user=lead, document=document, reviewers=[colleague], due_on=FRIDAY
        )

    return colleague, "review.requested", trigger


def review_decision(lead, project, colleague):
    document = _document(colleague, project)  # the author asks
    request = documents.review_request_create(
        acting_user=colleague, document=document, reviewers=[lead], due_on=FRIDAY
    )

    def trigger():
        documents.review_decide(acting_user=lead, request=request, approve=True)

    return colleague, "review.decided", trigger


def event(lead, project, colleague):
    meeting = make_event(lead, project)

    def trigger():
        events.event_invite_members(acting_user=lead, event=meeting)

    return colleague, "event.invited", trigger


def access_ending(lead, project, colleague):
    partner = GuestFactory(display_name="Paula Partner")
    invitation, _token = guests.invitation_create(
        acting_user=lead,
        email=partner.email,
        communities=[project],
        access_ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    guests.invitation_accept(invitation=invitation, user=partner)

    def trigger():
        assert guests.guests_remind() == 1

    return lead, "access.ending", trigger  # the sponsor hears of it


SCENARIOS = {
    "message": message,
    "mention": mention,
    "review.request": review_request,
    "review.decision": review_decision,
    "event": event,
    "access.ending": access_ending,
}


def test_every_topic_has_its_scenario():
    assert set(SCENARIOS) == set(notifications.TOPICS)


def for_you(person) -> list[str]:
    """The titles under "For you" in the person's digest of the last day."""
    now = timezone.now()
    digest = digests.digest_build(
        user=person,
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    return [item.title for item in digest.personal]


@pytest.mark.parametrize("channel", Channel.values)
@pytest.mark.parametrize("topic", list(SCENARIOS))
def test_exactly_the_chosen_channel_fires_once(
    topic, channel, lead, project, colleague, started_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recipient, kind, trigger = SCENARIOS[topic](lead, project, colleague)
    notifications.choices_set(acting_user=recipient, choices={topic: channel})
    mail.outbox.clear()
    started_tasks.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        trigger()
    row = Notification.objects.get(user=recipient, kind=kind)
    assert row.channel == channel  # decided once, when written
    # Under the bell whatever the channel.
    assert row in notifications.notification_list_visible_to(user=recipient)
    # The digest lists it only when it is the digest's (before the tasks run too: a push
    # row is not the digest's, whatever the push task does with it later).
    assert for_you(recipient).count(row.title) == (1 if channel == Channel.DIGEST else 0)

    for callback in callbacks:
        callback()
    mine = [m for m in mail.outbox if m.to == [recipient.email]]
    assert len(mine) == (1 if channel == Channel.EMAIL else 0)
    pushed = [ids for name, ids in started_tasks if name == PUSH_TASK and row.pk in ids]
    assert pushed == ([[row.pk]] if channel == Channel.PUSH else [])
    row.refresh_from_db()
    assert (row.emailed_at is not None) == (channel == Channel.EMAIL)
    if channel == Channel.EMAIL:  # e-mailed: never repeated in the digest
        assert row.title not in for_you(recipient)


@pytest.mark.parametrize(
    "topic, subject, body",
    [
        (
            "access.ending",
            "Access of Paula Partner to Lakeside Trails ends on",
            "Extend it or end it",
        ),
        ("review.request", "Review requested: charter.pdf", "Lea Lead asks for your review"),
        ("event", "Steering committee", "Answer yes, maybe or no here:"),
    ],
)
def test_a_kind_with_its_own_e_mail_keeps_its_words(
    topic, subject, body, lead, project, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recipient, kind, trigger = SCENARIOS[topic](lead, project, colleague)
    notifications.choices_set(acting_user=recipient, choices={topic: Channel.EMAIL})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        trigger()
    [sent] = [m for m in mail.outbox if m.to == [recipient.email]]
    assert subject in sent.subject
    assert body in sent.body
    row = Notification.objects.get(user=recipient, kind=kind)
    assert row.url in sent.body  # the link opens what the bell opens
