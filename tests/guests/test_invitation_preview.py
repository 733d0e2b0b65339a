"""The invitation form previews the e-mail the person will receive: the real template, the
language it is sent in, nothing stored or sent, asked of the same people as the form."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from communities import services as cs
from guests import services
from guests.models import Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("guests:invite")


def preview_data(project, **extra):
    return {
        "email": "Paula@Funder.example",
        "role": "guest",
        "communities": [project.pk],
        "message": "Your remarks on the signage plan are welcome.",
        "preview": "1",
        **extra,
    }


def test_the_preview_shows_the_mail_that_would_be_sent_and_sends_nothing(
    client, lead, project, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, preview_data(project))
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    preview = page.select_one(".email-preview")
    assert "paula@funder.example" in preview.get_text()
    body = preview.select_one(".email-preview-body").get_text()
    assert "Lea Lead invites you to join Lakeside Trails" in body
    assert "Your remarks on the signage plan are welcome." in body
    assert "/invite/…/" in body  # the real link exists only once sent
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    # The form comes back filled in, ready to send.
    assert page.select_one("#id_email")["value"] == "Paula@Funder.example"


def test_the_preview_is_the_sent_mail_word_for_word(
    client, lead, project, django_capture_on_commit_callbacks
):
    to, subject, text = services.invitation_preview(
        acting_user=lead, email="paula@funder.example", communities=[project], message="Hi"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.invitation_create(
            acting_user=lead, email="paula@funder.example", communities=[project], message="Hi"
        )
    sent = mail.outbox[-1]
    assert sent.to == [to]
    assert sent.subject == subject
    assert sent.body == text.replace("/invite/…/", f"/invite/{token}/")


def test_an_invalid_form_shows_its_errors_and_no_preview(client, lead, project):
    client.force_login(lead)
    response = client.post(URL, preview_data(project, email="not an address"))
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(".error-summary a[href='#id_email']")
    assert not page.select(".email-preview")


def test_only_who_may_invite_gets_a_preview(client, lead, project):
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.post(URL, preview_data(project)).status_code == 404
    other_lead = UserFactory()
    cs.community_create(acting_user=other_lead, name="Other", visibility="private", kind="project")
    client.force_login(other_lead)
    response = client.post(URL, preview_data(project))
    assert response.status_code == 400  # not among the communities they may invite into
    assert b"email-preview" not in response.content
    with pytest.raises(PermissionDenied):
        services.invitation_preview(
            acting_user=other_lead, email="x@funder.example", communities=[project]
        )
