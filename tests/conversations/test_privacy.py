"""A person's conversations in "Your data": exported, and anonymised on erasure."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Notification
from conversations import services as conv
from conversations.models import (
    Conversation,
    Message,
    MessageAttachment,
    MessageReaction,
    Participant,
)
from portal.accounts import services as accounts
from tests.communities.conftest import add_member
from tests.conversations.notify_support import conversation_urls, run  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("conversation_urls")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    return person


@pytest.fixture
def talk(lead, colleague, project):
    """A direct conversation, a group, and the project's chat; the colleague writes in each,
    attaches a file, reacts, and is mentioned by the lead."""
    third = UserFactory(display_name="Ines Petit")
    add_member(project, lead, third)
    direct = conv.conversation_start(acting_user=lead, people=[colleague])
    group = conv.conversation_start(acting_user=lead, people=[colleague, third], title="Budget")
    chat = Conversation.objects.create(kind=Conversation.Kind.COMMUNITY, community=project)
    conv.message_send(acting_user=lead, conversation=direct, body="Are you there?")
    mine = conv.message_send(
        acting_user=colleague, conversation=direct, body="Yes, **here**", client_token="t-1"
    )
    conv.message_send(acting_user=colleague, conversation=group, body="Figures tomorrow")
    conv.message_send(acting_user=colleague, conversation=chat, body="Hello all")
    mention = conv.message_send(
        acting_user=lead, conversation=group, body="Thanks @**Hugo Bernard**!"
    )
    # Attachments and reactions have no service on this branch yet (helper "messages").
    MessageAttachment.objects.create(
        message=mine,
        file=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf"),
        name="minutes.pdf",
        size=16,
    )
    MessageReaction.objects.create(message=mention, user=colleague, emoji="👍")
    return {"direct": direct, "group": group, "chat": chat, "mine": mine, "mention": mention}


def exported(user) -> zipfile.ZipFile:
    data = b"".join(accounts.account_export_stream(user=user, acting_user=user))
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_export_holds_their_messages_conversations_and_files(colleague, talk):
    archive = exported(colleague)
    messages = json.loads(archive.read("messages.json"))
    assert [m["body"] for m in messages] == ["Yes, **here**", "Figures tomorrow", "Hello all"]
    first = messages[0]
    assert first["conversation"] == talk["direct"].pk
    attachment = f"files/messages/{talk['mine'].pk}/"
    assert first["attachments"][0].startswith(attachment)
    assert archive.read(first["attachments"][0]) == b"%PDF-1.4 minutes"

    conversations = {c["id"]: c for c in json.loads(archive.read("conversations.json"))}
    assert set(conversations) == {talk["direct"].pk, talk["group"].pk, talk["chat"].pk}
    assert conversations[talk["group"].pk]["title"] == "Budget"
    assert sorted(conversations[talk["group"].pk]["people"]) == [
        "Hugo Bernard",
        "Ines Petit",
        "Lea Lead",
    ]
    assert conversations[talk["chat"].pk]["community"] == "Lakeside Trails"
    reactions = json.loads(archive.read("message_reactions.json"))
    assert reactions == [
        {"message": talk["mention"].pk, "emoji": "👍", "created_at": reactions[0]["created_at"]}
    ]
    # Someone else's messages are theirs, not in this export.
    assert "Are you there?" not in archive.read("messages.json").decode()


def test_the_export_reads_a_fixed_number_of_queries(
    colleague, talk, lead, django_assert_max_num_queries
):
    for n in range(20):
        conv.message_send(acting_user=colleague, conversation=talk["group"], body=f"More {n}")
    with django_assert_max_num_queries(40):
        exported(colleague)


def test_erasure_keeps_what_they_wrote_by_former_member(colleague, talk, lead):
    run()
    assert Notification.objects.filter(user=colleague).exists()
    assert f"/people/{colleague.pk}/" in talk["mention"].body_html
    accounts.account_erase(user=colleague, acting_user=colleague)
    colleague.refresh_from_db()

    # Like posts and comments: the message and its file stay in the thread, by "Former member".
    mine = Message.objects.get(pk=talk["mine"].pk)
    assert (mine.author_id, mine.body, mine.client_token) == (colleague.pk, "Yes, **here**", "")
    assert mine.attachments.count() == 1
    assert mine.author.is_erased and mine.author.name == "Former member"
    # They left their direct and group conversations; the others keep the history.
    seats = Participant.objects.filter(user=colleague)
    assert all(seat.left_at is not None for seat in seats)
    assert not seats.filter(conversation=talk["chat"]).exists()
    assert Participant.objects.get(conversation=talk["direct"], user=lead).left_at is None
    # Their mention in the lead's message is plain text now, linking to no profile.
    mention = Message.objects.get(pk=talk["mention"].pk)
    assert not mention.mentions.exists()
    assert "/people/" not in mention.body_html and "Hugo Bernard" in mention.body_html
    assert not Notification.objects.filter(user=colleague).exists()


def test_erased_people_get_no_notifications(colleague, talk, lead):
    accounts.account_erase(user=colleague, acting_user=colleague)
    conv.message_send(acting_user=lead, conversation=talk["group"], body="Still there?")
    run()
    assert not Notification.objects.filter(user=colleague).exists()
