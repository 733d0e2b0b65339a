"""Messages nobody read become notifications, e-mails or digest lines (issue 18)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import digests
from communities import notifications as floor
from communities import services as cs
from communities.models import DigestPreference, Notification
from conversations import notifications, tasks
from conversations import services as conv
from conversations.models import Conversation, Participant
from tests.communities.conftest import add_guest, add_member
from tests.conversations.notify_support import mark_read, run
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

IMMEDIATE = DigestPreference.Frequency.IMMEDIATE


@pytest.fixture(autouse=True)
def reply_domain(settings):
    settings.COMMUNITIES_REPLY_DOMAIN = "reply.parvis.example"


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    floor.preferences_set(acting_user=person, account=IMMEDIATE)
    return person


def mine(user):
    return list(Notification.objects.filter(user=user, kind__in=notifications.KINDS).order_by("pk"))


def test_a_direct_message_unread_after_the_delay_notifies_once(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    first = conv.message_send(acting_user=lead, conversation=chat, body="Are you free **Tuesday**?")
    conv.message_send(acting_user=lead, conversation=chat, body="For the steering committee")
    mail.outbox.clear()

    assert run(minutes=5).notified == 0  # not yet: nobody is late reading it
    assert not mine(colleague)

    result = run()
    assert (result.notified, result.emailed) == (1, 1)
    [notification] = mine(colleague)
    assert notification.kind == notifications.KIND_MESSAGE
    assert notification.actor == lead
    assert notification.title == "For the steering committee"
    assert notification.url == first.get_absolute_url()  # opens at the first unread one
    assert notification.community is None
    assert notification.emailed_at is not None
    assert floor.unread_count(user=colleague) == 1
    assert not mine(lead)  # one's own messages never notify

    [email] = mail.outbox
    assert email.to == [colleague.email]
    assert email.subject == "Lea Lead sent you a message"
    assert "Are you free Tuesday?" in email.body and "For the steering committee" in email.body
    assert f"{settings.WAGTAILADMIN_BASE_URL}{first.get_absolute_url()}" in email.body
    assert email.extra_headers["Reply-To"].startswith("reply+chat.")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = email.alternatives[0][0]
    assert "For the steering committee" in html

    # At most once per message, whatever the number of runs.
    mail.outbox.clear()
    assert run(minutes=30).notified == 0
    assert len(mine(colleague)) == 1 and not mail.outbox
    seat = Participant.objects.get(conversation=chat, user=colleague)
    assert seat.notified_id == chat.last_message_id


def test_a_later_message_notifies_again(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="One")
    run()
    later_message = conv.message_send(acting_user=lead, conversation=chat, body="Two")
    assert run().notified == 1
    assert mine(colleague)[-1].url == later_message.get_absolute_url()


def test_read_messages_never_notify(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    message = conv.message_send(acting_user=lead, conversation=chat, body="Seen it?")
    mark_read(colleague, message)
    mail.outbox.clear()
    assert run().notified == 0
    assert not mine(colleague) and not mail.outbox


def test_an_answer_marks_the_conversation_read(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Question")
    conv.message_send(acting_user=colleague, conversation=chat, body="Answer")
    assert run().notified == 1
    assert not mine(colleague)  # they answered: they had read it
    assert [n.title for n in mine(lead)] == ["Answer"]  # the lead has not read the answer


def test_muted_conversations_never_notify_even_after_unmuting(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    Participant.objects.filter(conversation=chat, user=colleague).update(is_muted=True)
    conv.message_send(acting_user=lead, conversation=chat, body="Anyone?")
    mail.outbox.clear()
    assert run().notified == 0
    Participant.objects.filter(conversation=chat, user=colleague).update(is_muted=False)
    assert run(minutes=20).notified == 0  # what came while muted stays quiet
    assert not mine(colleague) and not mail.outbox


def test_group_messages_notify_each_person_who_has_not_read(lead, colleague, project):
    third = UserFactory(display_name="Ines Petit")
    add_member(project, lead, third)
    group = conv.conversation_start(acting_user=lead, people=[colleague, third], title="Budget")
    message = conv.message_send(acting_user=lead, conversation=group, body="Figures attached")
    mark_read(third, message)
    mail.outbox.clear()
    assert run().notified == 1
    assert len(mine(colleague)) == 1 and not mine(third)
    assert mail.outbox[0].subject == "New messages in Budget"


def test_a_mention_says_so(lead, colleague, project):
    third = UserFactory(display_name="Ines Petit")
    add_member(project, lead, third)
    group = conv.conversation_start(acting_user=lead, people=[colleague, third], title="Budget")
    conv.message_send(acting_user=lead, conversation=group, body="@**Hugo Bernard** can you check?")
    mail.outbox.clear()
    run()
    [notification] = mine(colleague)
    assert notification.kind == notifications.KIND_MENTION
    assert notification.get_kind_display() == "mentioned you in a conversation"
    assert mail.outbox[0].subject == "Lea Lead mentioned you in Budget"
    assert mine(third)[0].kind == notifications.KIND_MESSAGE


def test_a_community_chat_notifies_only_mentions(lead, colleague, project):
    reader = UserFactory(display_name="Ines Petit")
    add_member(project, lead, reader)
    chat = Conversation.objects.create(kind=Conversation.Kind.COMMUNITY, community=project)
    conv.message_send(acting_user=lead, conversation=chat, body="Hello everyone")
    conv.message_send(acting_user=lead, conversation=chat, body="@**Hugo Bernard** the map please")
    mail.outbox.clear()
    assert run().notified == 1
    [notification] = mine(colleague)
    assert notification.kind == notifications.KIND_MENTION
    assert notification.community == project  # hidden from the bell if they leave it
    assert not mine(reader)
    assert mail.outbox[0].subject == "Lea Lead mentioned you in Lakeside Trails"
    assert run(minutes=20).notified == 0


def test_a_guest_whose_access_ended_gets_nothing(lead, project):
    guest = GuestFactory(display_name="Julie Roux")
    membership = add_guest(project, guest)
    floor.preferences_set(acting_user=guest, account=IMMEDIATE)
    chat = conv.conversation_start(acting_user=guest, people=[lead])
    conv.message_send(acting_user=lead, conversation=chat, body="Your access ends today")
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    mail.outbox.clear()
    assert run().notified == 0
    assert not mine(guest) and not mail.outbox
    # Her seat closed when her access ended (conversations/revocation.py): a later run
    # brings no stale e-mail either.
    seat = Participant.objects.get(conversation=chat, user=guest)
    assert seat.left_at is not None
    assert run(minutes=30).notified == 0 and not mail.outbox


def test_deactivated_people_get_nothing(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Hello")
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    assert run().notified == 0


def test_digest_people_get_a_line_in_their_digest_not_an_email(lead, member, project):
    add_member(project, lead, member)  # "Camille Martin", daily digest by default
    chat = conv.conversation_start(acting_user=lead, people=[member])
    conv.message_send(acting_user=lead, conversation=chat, body="The minutes are ready")
    mail.outbox.clear()
    assert run().notified == 1
    assert not mail.outbox
    [notification] = mine(member)
    assert notification.emailed_at is None

    start = timezone.now() - datetime.timedelta(days=1)
    end = timezone.now() + datetime.timedelta(hours=1)
    digest = digests.digest_build(user=member, starts_at=start, ends_at=end)
    [line] = [i for i in digest.personal if i.url == notification.url]
    assert line.title == "The minutes are ready"
    assert line.detail == "Lea Lead sent you a message"

    # Read since: no longer news.
    mark_read(member, chat.messages.get())
    digest = digests.digest_build(user=member, starts_at=start, ends_at=end)
    assert not [i for i in digest.personal if i.url == notification.url]


def test_nothing_chosen_keeps_the_bell_only(lead, colleague):
    floor.preferences_set(acting_user=colleague, account=DigestPreference.Frequency.OFF)
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Hello")
    mail.outbox.clear()
    assert run().notified == 1
    assert not mail.outbox


def test_reading_the_conversation_reads_its_notifications(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Hello")
    run()
    assert floor.unread_count(user=colleague) == 1
    assert notifications.conversation_notifications_read(user=colleague, conversation_id=chat.pk)
    assert floor.unread_count(user=colleague) == 0


def _queries_of_a_run(lead, people, messages_each: int) -> int:
    for person in people:
        chat = conv.conversation_start(acting_user=lead, people=[person])
        for n in range(messages_each):
            conv.message_send(acting_user=lead, conversation=chat, body=f"Message {n}")
    with CaptureQueriesContext(connection) as queries:
        result = run()
    assert result.notified == len(people)
    return len(queries)


def test_a_run_costs_the_same_whatever_the_number_of_messages(lead, project, settings):
    settings.CONVERSATIONS_RATE_PER_PERSON = 100  # the lead sends 39 messages at once
    few = [UserFactory() for _ in range(3)]
    many = [UserFactory() for _ in range(3)]
    for person in [*few, *many]:
        add_member(project, lead, person)
        floor.preferences_set(acting_user=person, account=IMMEDIATE)
    small = _queries_of_a_run(lead, few, messages_each=1)
    Notification.objects.all().delete()
    large = _queries_of_a_run(lead, many, messages_each=12)
    assert small == large


def test_the_beat_task_runs_the_service_every_minute(lead, colleague, settings):
    assert settings.CELERY_BEAT_SCHEDULE["conversations-notify"] == {
        "task": "conversations.tasks.notify_unread",
        "schedule": 60,
    }
    settings.CONVERSATIONS_NOTIFY_AFTER_MINUTES = 0
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Now")
    assert tasks.notify_unread.delay().get() == 1
    assert len(mine(colleague)) == 1


def test_the_delay_is_a_setting(lead, colleague, settings):
    settings.CONVERSATIONS_NOTIFY_AFTER_MINUTES = 30
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Later")
    assert run(minutes=11).notified == 0
    assert run(minutes=31).notified == 1


def test_french_readers_get_french_mail(lead, colleague):
    colleague.language = "fr"
    colleague.save(update_fields=["language"])
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Bonjour")
    mail.outbox.clear()
    run()
    assert mail.outbox[0].subject == "Lea Lead vous a envoyé un message"
    assert "répondez à cet e-mail" in mail.outbox[0].body
    assert '<html lang="fr">' in mail.outbox[0].alternatives[0][0]


def test_the_bell_lists_it_and_opens_the_message(client, lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    message = conv.message_send(acting_user=lead, conversation=chat, body="See the map")
    run()
    client.force_login(colleague)
    page = client.get(reverse("communities:notifications")).content.decode()
    assert "Lea Lead sent you a message: See the map" in page
    [notification] = mine(colleague)
    response = client.get(reverse("communities:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == message.get_absolute_url()


def test_notifications_of_conversations_no_longer_readable_can_be_forgotten(lead, project):
    guest = GuestFactory()
    add_guest(project, guest)
    chat = conv.conversation_start(acting_user=lead, people=[guest])
    conv.message_send(acting_user=lead, conversation=chat, body="Hello")
    run()
    assert len(mine(guest)) == 1
    assert notifications.notifications_forget_unreadable(user=guest) == 0  # still readable
    # A seat closed behind the services' back: the function finds what she may not open.
    Participant.objects.filter(conversation=chat, user=guest).update(left_at=timezone.now())
    assert notifications.notifications_forget_unreadable(user=guest) == 1
    assert not mine(guest)


def test_access_ending_takes_the_conversation_notifications_off_the_bell(lead, project):
    guest = GuestFactory()
    membership = add_guest(project, guest)
    chat = conv.conversation_start(acting_user=lead, people=[guest])
    conv.message_send(acting_user=lead, conversation=chat, body="Hello")
    run()
    assert len(mine(guest)) == 1
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    assert not mine(guest)


def test_people_who_push_direct_messages_are_told_sooner(lead, colleague, project, settings):
    """A phone is told after CONVERSATIONS_NOTIFY_PUSH_AFTER_MINUTES (1), a mailbox after the
    usual delay; in a community chat only a mention counts, by the "mention" choice."""
    assert settings.CONVERSATIONS_NOTIFY_PUSH_AFTER_MINUTES == 1
    mailbox = UserFactory(display_name="Mona Mail")
    add_member(project, lead, mailbox)
    floor.choices_set(acting_user=colleague, choices={"message": "push"})
    floor.choices_set(acting_user=mailbox, choices={"message": "email"})
    group = conv.conversation_start(acting_user=lead, people=[colleague, mailbox])
    conv.message_send(acting_user=lead, conversation=group, body="Are you coming?")
    assert run(minutes=0).notified == 0  # not yet: the message was just sent
    assert run(minutes=2).notified == 1
    [pushed] = mine(colleague)
    assert pushed.channel == "push" and mine(mailbox) == []
    assert run(minutes=11).notified == 1  # the mailbox's turn, once
    assert [n.channel for n in mine(mailbox)] == ["email"] and len(mine(colleague)) == 1

    chat = Conversation.objects.create(kind=Conversation.Kind.COMMUNITY, community=project)
    conv.message_send(acting_user=lead, conversation=chat, body="Nobody mentioned")
    floor.choices_set(acting_user=mailbox, choices={"mention": "push"})
    conv.message_send(acting_user=lead, conversation=chat, body="@**Mona Mail** look")
    assert run(minutes=2).notified == 1
    assert [n.kind for n in mine(mailbox)] == ["conversation.message", "conversation.mention"]
