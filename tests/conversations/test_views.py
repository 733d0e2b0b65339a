"""The conversation pages, without JavaScript first (forms, redirects), then their htmx
answers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities import permissions as policy
from conversations import services as conv
from conversations.models import Conversation, Message, Participant
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(project, lead):
    person = UserFactory(display_name="Colin Colleague")
    add_member(project, lead, person)
    policy.forget_roles(person)
    return person


def test_start_from_a_profile_then_write_and_read(client, member, lead):
    client.force_login(member)
    page = client.get(reverse("conversations:start"), {"to": lead.pk})
    assert page.status_code == 200
    assert f'value="{lead.pk}"' in page.content.decode() and "checked" in page.content.decode()
    response = client.post(
        reverse("conversations:start"), {"people": [lead.pk], "body": "Hello **Lea**"}
    )
    chat = Conversation.objects.get(kind="direct")
    assert response.status_code == 302 and response["Location"] == chat.get_absolute_url()
    page = client.get(chat.get_absolute_url())
    html = page.content.decode()
    assert "<strong>Lea</strong>" in html
    assert f'data-live-topic="conversation:{chat.pk}"' in html
    assert 'aria-live="polite"' in html
    # Lea sees it unread, in her list and in her header count
    client.force_login(lead)
    assert client.get(reverse("conversations:unread")).context["count"] == 1
    listing = client.get(reverse("conversations:list"))
    assert listing.context["unread"] == [chat]
    client.get(chat.get_absolute_url())  # reading it
    assert client.get(reverse("conversations:unread")).context["count"] == 0
    assert client.get(reverse("conversations:list")).context["read"] == [chat]


def test_the_list_is_empty_with_a_way_forward(client, member):
    client.force_login(member)
    html = client.get(reverse("conversations:list")).content.decode()
    assert "No conversations yet" in html and reverse("conversations:start") in html


def test_unread_first_and_muted_marked(client, member, lead, colleague):
    first = conv.conversation_start(acting_user=member, people=[lead])
    second = conv.conversation_start(acting_user=member, people=[colleague])
    conv.message_send(acting_user=lead, conversation=first, body="Older but unread")
    conv.message_send(acting_user=member, conversation=second, body="Newer, mine")
    conv.conversation_set_muted(acting_user=member, conversation=second, muted=True)
    client.force_login(member)
    response = client.get(reverse("conversations:list"))
    assert response.context["unread"] == [first]
    assert response.context["read"] == [second]
    assert "muted" in response.content.decode()


def test_send_without_javascript_keeps_the_text_on_refusal(client, member, lead, settings):
    settings.CONVERSATIONS_RATE_PER_PERSON = 1
    chat = conv.conversation_start(acting_user=member, people=[lead])
    client.force_login(member)
    url = reverse("conversations:send", args=[chat.pk])
    first = client.post(url, {"body": "One"})
    assert first.status_code == 302
    second = client.post(url, {"body": "Two, kept"}, follow=True)
    html = second.content.decode()
    assert "wait a moment" in html
    assert "Two, kept" in html  # back in the box
    assert Message.objects.filter(conversation=chat).count() == 1


def test_send_with_htmx_answers_the_message(client, member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    client.force_login(member)
    url = reverse("conversations:send", args=[chat.pk])
    response = client.post(url, {"body": "Live", "client_token": "abc"}, HTTP_HX_REQUEST="true")
    message = Message.objects.get(conversation=chat)
    assert response.status_code == 200
    assert f'id="message-{message.pk}"' in response.content.decode()
    empty = client.post(url, {"body": "  "}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400 and "Write something first" in empty["HX-Trigger"]


def test_reply_edit_react_delete(client, member, lead):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    original = conv.message_send(acting_user=lead, conversation=chat, body="Question?")
    client.force_login(member)
    page = client.get(chat.get_absolute_url(), {"reply": original.pk})
    assert "Replying to" in page.content.decode()
    client.post(
        reverse("conversations:send", args=[chat.pk]), {"body": "Answer", "reply_to": original.pk}
    )
    answer = Message.objects.get(body="Answer")
    assert answer.reply_to == original
    assert "In reply to Lea Lead" in client.get(chat.get_absolute_url()).content.decode()
    # edit own; not someone else's
    edit = reverse("conversations:message_edit", args=[answer.pk])
    assert client.post(edit, {"body": "Answer, better"}).status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Answer, better" and answer.edited_at
    assert client.get(reverse("conversations:message_edit", args=[original.pk])).status_code == 404
    # react with the fixed set only
    react = reverse("conversations:message_react", args=[original.pk])
    assert client.post(react, {"emoji": "👍"}).status_code == 302
    assert original.reactions.get().emoji == "👍"
    assert client.post(react, {"emoji": "💩"}).status_code == 400
    client.post(react, {"emoji": "👍"})
    assert not original.reactions.exists()
    # delete own: its place stays
    delete = reverse("conversations:message_delete", args=[answer.pk])
    assert client.get(delete).status_code == 200  # the confirmation page
    client.post(delete)
    answer.refresh_from_db()
    assert answer.deleted_at and answer.body == ""
    assert "message deleted" in client.get(chat.get_absolute_url()).content.decode()
    assert (
        client.post(reverse("conversations:message_delete", args=[original.pk])).status_code == 404
    )


def test_history_is_paged_and_opens_at_a_message(client, member, lead, settings):
    settings.CONVERSATIONS_RATE_PER_PERSON = 1000
    settings.CONVERSATIONS_RATE_PER_CONVERSATION = 1000
    chat = conv.conversation_start(acting_user=member, people=[lead])
    sent = [
        conv.message_send(acting_user=member, conversation=chat, body=f"n{i}") for i in range(70)
    ]
    client.force_login(lead)
    newest = client.get(chat.get_absolute_url())
    shown = [m.pk for m in newest.context["history"].messages]
    assert shown == [m.pk for m in sent[-30:]]
    older = newest.context["history"].older
    assert older == sent[-30].pk
    page2 = client.get(chat.get_absolute_url(), {"before": older})
    assert [m.pk for m in page2.context["history"].messages] == [m.pk for m in sent[-60:-30]]
    partial = client.get(chat.get_absolute_url(), {"before": older}, HTTP_HX_REQUEST="true")
    assert "Older messages" in partial.content.decode() and "<html" not in partial.content.decode()
    at = client.get(sent[5].get_absolute_url())
    assert sent[5].pk in [m.pk for m in at.context["history"].messages]
    assert at.context["history"].newer  # "newer messages" below
    assert "data-live-append" not in at.content.decode()


def test_group_add_leave_rename_mute(client, member, lead, colleague):
    outsider_guest = UserFactory(display_name="Hidden", is_external=True)
    group = conv.conversation_start(acting_user=member, people=[lead, colleague], title="Trail")
    client.force_login(member)
    rename = reverse("conversations:rename", args=[group.pk])
    client.post(rename, {"title": "Trail work"})
    group.refresh_from_db()
    assert group.title == "Trail work"
    newcomer = UserFactory(display_name="Nina Newcomer")
    add = reverse("conversations:people_add", args=[group.pk])
    assert client.get(add, {"q": "Nina"}).status_code == 200
    assert client.post(add, {"people": [outsider_guest.pk]}).status_code == 400
    assert client.post(add, {"people": [newcomer.pk]}).status_code == 302
    assert Participant.objects.filter(conversation=group, user=newcomer).exists()
    mute = reverse("conversations:mute", args=[group.pk])
    client.post(mute, {"on": "1"})
    assert Participant.objects.get(conversation=group, user=member).is_muted
    leave = reverse("conversations:leave", args=[group.pk])
    assert client.get(leave).status_code == 200
    client.post(leave)
    assert client.get(group.get_absolute_url()).status_code == 404
    assert Message.objects.filter(conversation=group, kind="left").exists()


def test_attachments_are_checked_and_served_to_readers_only(client, member, lead, colleague):
    chat = conv.conversation_start(acting_user=member, people=[lead])
    client.force_login(member)
    url = reverse("conversations:send", args=[chat.pk])
    fake = SimpleUploadedFile("x.pdf", b"<html>not a pdf", "application/pdf")
    client.post(url, {"body": "", "attachments": [fake]})
    assert not Message.objects.filter(conversation=chat).exists()
    real = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf")
    client.post(url, {"body": "", "attachments": [real]})
    item = Message.objects.get(conversation=chat).attachments.get()
    download = reverse("conversations:attachment", args=[item.pk])
    assert client.get(download).status_code == 200
    client.force_login(colleague)
    assert client.get(download).status_code == 404


def test_community_chat_on_by_default_for_projects_and_the_lead_switches(
    client, project, lead, partner, colleague
):
    client.force_login(partner)
    chat_url = reverse("conversations:community_chat", args=[project.slug])
    response = client.get(chat_url)
    chat = Conversation.objects.get(community=project)
    assert response["Location"] == chat.get_absolute_url()
    # a guest writes as members do
    client.post(reverse("conversations:send", args=[chat.pk]), {"body": "Hello all"})
    message = Message.objects.get(conversation=chat)
    # the lead pins and deletes; the colleague may not
    client.force_login(colleague)
    pin = reverse("conversations:message_pin", args=[message.pk])
    assert client.post(pin, {"on": "1"}).status_code == 404
    client.force_login(lead)
    client.post(pin, {"on": "1"})
    message.refresh_from_db()
    assert message.is_pinned
    assert "Pinned" in client.get(chat.get_absolute_url()).content.decode()
    client.post(reverse("conversations:message_delete", args=[message.pk]))
    message.refresh_from_db()
    assert message.deleted_at
    # the lead turns it off: members get a 404, the lead the switch
    settings_url = reverse("conversations:community_chat_settings", args=[project.slug])
    client.post(settings_url, {"on": "0"})
    assert client.get(chat_url).status_code == 200
    client.force_login(colleague)
    assert client.get(chat_url).status_code == 404
    assert client.get(chat.get_absolute_url()).status_code == 404
    assert client.post(settings_url, {"on": "1"}).status_code == 404


def test_header_link_and_message_buttons(client, member, lead, project):
    client.force_login(member)
    html = client.get(reverse("accounts:person", args=[lead.pk])).content.decode()
    assert f"{reverse('conversations:start')}?to={lead.pk}" in html
    assert reverse("conversations:unread") in html  # the header's Messages link
    client.force_login(lead)
    members = client.get(reverse("communities:members", args=[project.slug])).content.decode()
    community = client.get(reverse("communities:detail", args=[project.slug])).content.decode()
    assert reverse("conversations:community_chat", args=[project.slug]) in community
    assert reverse("conversations:start") in members or "Message" in members


def test_in_french(client, member, lead):
    member.language = "fr"
    member.save(update_fields=["language"])
    chat = conv.conversation_start(acting_user=member, people=[lead])
    conv.message_send(acting_user=lead, conversation=chat, body="Bonjour")
    client.force_login(member)
    client.cookies["django_language"] = "fr"
    listing = client.get(reverse("conversations:list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Nouvelle conversation" in listing.content.decode()
    page = client.get(chat.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Écrire un message" in page and "Envoyer" in page
    empty = client.post(
        reverse("conversations:send", args=[chat.pk]), {"body": ""}, follow=True
    ).content.decode()
    assert "Écrivez d’abord quelque chose." in empty
