"""Answering a conversation's e-mail: the reply becomes a message, through the floor's
inbound path (anymail's real Postmark webhook) and its reply-address kind registry."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from communities import notifications as floor
from communities import replies
from communities import services as cs
from communities.models import Comment, DigestPreference
from conversations import notifications
from conversations import services as conv
from conversations.models import Message
from tests.communities.conftest import add_guest, add_member
from tests.communities.test_replies import BASIC, DOMAIN, QUOTED, postmark
from tests.conversations.notify_support import run
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.COMMUNITIES_REPLY_DOMAIN = DOMAIN
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC}


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard", email="hugo@parvis.example")
    add_member(project, lead, person)
    floor.preferences_set(acting_user=person, account=DigestPreference.Frequency.IMMEDIATE)
    return person


@pytest.fixture
def chat(lead, colleague):
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="Steering committee agenda?")
    return chat


def address_for(user, chat) -> str:
    return replies.kind_reply_address(kind=notifications.REPLY_KIND, user=user, object_id=chat.pk)


def answer(client, sender, to, text=QUOTED):
    return postmark(client, sender=sender, to=to, text=text)


def test_the_notification_email_is_answered_into_the_conversation(client, chat, colleague):
    mail.outbox.clear()
    run()
    reply_to = mail.outbox[0].extra_headers["Reply-To"]
    assert len(reply_to.split("@")[0]) <= 64  # a valid local part
    assert answer(client, colleague.email.upper(), reply_to).status_code == 200
    message = Message.objects.filter(conversation=chat).latest("id")
    assert (message.author, message.body) == (colleague, "Count me in for Tuesday.")
    assert not Comment.objects.exists()


def test_a_forged_or_foreign_address_writes_nothing(client, chat, colleague, lead):
    good = address_for(colleague, chat)
    local, domain = good.split("@")
    forged = f"{local[:-2]}{'aa' if not local.endswith('aa') else 'bb'}@{domain}"
    other_kind = good.replace("reply+chat.", "reply+post.")  # signed for "chat" only
    other_chat = f"{local.replace(f'.{chat.pk}.', f'.{chat.pk + 1}.', 1)}@{domain}"
    for address in (forged, other_kind, other_chat):
        assert answer(client, colleague.email, address).status_code == 200
    # Someone else sending to the colleague's address.
    assert answer(client, lead.email, good).status_code == 200
    assert Message.objects.filter(conversation=chat).count() == 1
    assert not mail.outbox


def test_an_old_address_is_refused(chat, colleague, settings):
    long_ago = time.time() - (settings.COMMUNITIES_REPLY_MAX_AGE_DAYS + 1) * 86400
    old = replies.kind_reply_address(
        kind=notifications.REPLY_KIND, user=colleague, object_id=chat.pk, now=long_ago
    )
    assert replies.read_kind_reply_address(old) is None
    assert replies.read_kind_reply_address(address_for(colleague, chat)) == (
        "chat",
        colleague.pk,
        chat.pk,
    )
    # A post's reply address is not read as a kind's, nor the other way round.
    post_address = replies.reply_address(user=colleague, post_id=chat.pk)
    assert replies.read_kind_reply_address(post_address) is None
    assert replies.read_reply_address(address_for(colleague, chat)) is None


def test_someone_who_may_no_longer_write_gets_their_text_back(client, lead, project):
    guest = GuestFactory(display_name="Julie Roux", email="julie@funder.example")
    membership = add_guest(project, guest)
    chat = conv.conversation_start(acting_user=lead, people=[guest])
    conv.message_send(acting_user=lead, conversation=chat, body="Hello")
    address = address_for(guest, chat)
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    mail.outbox.clear()
    assert answer(client, guest.email, address).status_code == 200
    assert Message.objects.filter(conversation=chat, kind=Message.Kind.MESSAGE).count() == 1
    [refusal] = mail.outbox
    assert refusal.to == [guest.email]
    assert refusal.subject == "Your reply was not posted"
    assert "you can no longer write in this conversation" in refusal.body
    assert "Count me in for Tuesday." in refusal.body


def test_a_reply_to_a_conversation_that_is_gone(client, chat, colleague):
    address = address_for(colleague, chat)
    chat.delete()
    mail.outbox.clear()
    assert answer(client, colleague.email, address).status_code == 200
    assert not Message.objects.exists()
    assert "no longer exists" in mail.outbox[0].body


def test_an_unregistered_kind_is_dropped(client, chat, colleague):
    address = replies.kind_reply_address(kind="nobody", user=colleague, object_id=chat.pk)
    mail.outbox.clear()
    assert answer(client, colleague.email, address).status_code == 200
    assert Message.objects.filter(conversation=chat).count() == 1
    assert not mail.outbox


def test_no_reply_address_without_a_reply_domain(chat, colleague, settings):
    settings.COMMUNITIES_REPLY_DOMAIN = ""
    assert address_for(colleague, chat) == ""
    mail.outbox.clear()
    run()
    assert "Reply-To" not in mail.outbox[0].extra_headers
    assert "answer this e-mail" not in mail.outbox[0].body


def test_no_reply_address_where_one_may_no_longer_write(lead, project):
    """The lead reads what a guest wrote before her access ended, but may not write into the
    void: the e-mail offers no reply."""
    floor.preferences_set(acting_user=lead, account=DigestPreference.Frequency.IMMEDIATE)
    guest = GuestFactory()
    membership = add_guest(project, guest)
    chat = conv.conversation_start(acting_user=guest, people=[lead])
    conv.message_send(acting_user=guest, conversation=chat, body="My last message")
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    mail.outbox.clear()
    assert run().notified == 1
    assert "Reply-To" not in mail.outbox[0].extra_headers
    assert "My last message" in mail.outbox[0].body
