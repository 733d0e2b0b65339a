"""Conversations in the Wagtail admin: administrators only; what was said leaves only through
the audited legal-hold export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from conversations import privacy
from conversations import services as conv
from conversations.models import Conversation
from tests.communities.conftest import add_member
from tests.conversations.notify_support import conversation_urls  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("conversation_urls")]

REASON = "Court order 2026-114 (Annecy)"


@pytest.fixture
def chat(lead, project):
    colleague = UserFactory(display_name="Hugo Bernard", email="hugo@parvis.example")
    add_member(project, lead, colleague)
    chat = conv.conversation_start(acting_user=lead, people=[colleague])
    conv.message_send(acting_user=lead, conversation=chat, body="The confidential figures")
    conv.message_send(acting_user=colleague, conversation=chat, body="Received, thanks")
    return chat


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def url(chat) -> str:
    return reverse("conversations_admin_legal_hold", args=[chat.pk])


def exports():
    return ModelLogEntry.objects.filter(action=privacy.LEGAL_HOLD_ACTION)


def test_an_administrator_exports_a_conversation_with_a_reason(admin_client, chat, staff):
    page = admin_client.get(url(chat))
    assert page.status_code == 200
    assert "The confidential figures" not in page.content.decode()  # the page shows no text
    response = admin_client.post(url(chat), {"reason": REASON})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"parvis-conversation-{chat.pk}-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    about = json.loads(archive.read("conversation.json"))
    assert about["id"] == chat.pk and about["kind"] == "direct"
    assert sorted(p["email"] for p in about["participants"]) == sorted(
        chat.participants.values_list("user__email", flat=True)
    )
    messages = json.loads(archive.read("messages.json"))
    assert [m["body"] for m in messages] == ["The confidential figures", "Received, thanks"]

    # Audited: who, which conversation, why; in its history and on the page.
    [entry] = exports()
    assert (entry.user, entry.object_id, entry.data) == (staff, str(chat.pk), {"reason": REASON})
    history = admin_client.get(reverse("admin_conversations:history", args=[chat.pk]))
    assert history.status_code == 200
    assert "Conversation exported for legal hold: " + REASON in history.content.decode()
    assert REASON in admin_client.get(url(chat)).content.decode()
    site_history = admin_client.get(reverse("wagtailadmin_reports:site_history"))
    assert REASON in site_history.content.decode()


def test_no_reason_no_export(admin_client, chat):
    for reason in ("", "   ", "because"):
        response = admin_client.post(url(chat), {"reason": reason})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
    assert not exports().exists()


def test_only_administrators(client, chat, lead):
    response = client.get(url(chat))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(lead)  # a participant, not in the admin
    assert client.post(url(chat), {"reason": REASON}).status_code == 403
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)  # in the admin, not an administrator: as if missing
    assert client.get(url(chat)).status_code == 404
    assert client.post(url(chat), {"reason": REASON}).status_code == 404
    assert client.get(reverse("admin_conversations:index")).status_code in (302, 403)
    assert not exports().exists()


def test_the_service_refuses_anyone_else(chat, lead):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        privacy.legal_hold_export(acting_user=lead, conversation=chat, reason=REASON)
    assert not exports().exists()


def test_the_list_shows_conversations_never_their_text(
    admin_client, chat, project, django_assert_max_num_queries
):
    group_chat = Conversation.objects.create(kind=Conversation.Kind.COMMUNITY, community=project)
    with django_assert_max_num_queries(40):
        index = admin_client.get(reverse("admin_conversations:index"))
    assert index.status_code == 200
    content = index.content.decode()
    assert "Lakeside Trails" in content and f"#{chat.pk}" in content
    assert "The confidential figures" not in content
    found = admin_client.get(reverse("admin_conversations:index"), {"q": "Lakeside"})
    assert found.status_code == 200 and "Lakeside Trails" in found.content.decode()
    assert f"#{chat.pk}" not in found.content.decode()
    inspect = admin_client.get(reverse("admin_conversations:inspect", args=[group_chat.pk]))
    assert inspect.status_code == 200
    assert url(group_chat) in inspect.content.decode()
    # Nobody edits or deletes a conversation from the admin.
    edit = admin_client.get(reverse("admin_conversations:edit", args=[chat.pk]))
    assert edit.status_code == 302


def test_the_list_costs_the_same_with_more_conversations(
    admin_client, lead, project, django_assert_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("admin_conversations:index")).status_code == 200
        return len(queries)

    people = [UserFactory() for _ in range(6)]
    for person in people:
        add_member(project, lead, person)
    conv.conversation_start(acting_user=lead, people=people[:1])
    small = count()
    for person in people[1:]:
        conv.conversation_start(acting_user=lead, people=[person])
    assert count() == small
