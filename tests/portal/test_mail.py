import pytest
from django.core import mail
from django.utils import translation

from portal.core.mail import Recipient, send_templated_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_one_message_per_recipient_in_their_language():
    english = UserFactory(language="en")
    french = UserFactory(language="fr")
    sent = send_templated_email(
        "accounts/email/welcome",
        to=[english, french, "plain@parvis.example"],
        context={"user": english, "profile_url": "http://x/profile/"},
        headers={"X-Parvis": "test"},
    )
    assert sent == 3
    assert [m.to for m in mail.outbox] == [
        [english.email],
        [french.email],
        ["plain@parvis.example"],
    ]
    assert mail.outbox[0].subject == "Welcome to Parvis"
    assert mail.outbox[1].subject == "Bienvenue sur Parvis"
    assert mail.outbox[0].extra_headers["X-Parvis"] == "test"
    html = mail.outbox[1].alternatives[0]
    assert html[1] == "text/html"
    assert 'lang="fr"' in html[0]


def test_subject_is_one_line_and_context_is_escaped_in_html():
    user = UserFactory(display_name="<b>Eve</b>")
    send_templated_email(
        "accounts/email/welcome",
        to=[Recipient(email=user.email, language="en")],
        context={"user": user, "profile_url": "http://x/"},
    )
    message = mail.outbox[0]
    assert "\n" not in message.subject
    assert "&lt;b&gt;Eve&lt;/b&gt;" in message.alternatives[0][0]


def test_nobody_to_send_to_sends_nothing():
    assert send_templated_email("accounts/email/welcome", to=[], context={}) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_plain_text_parts_and_subjects_show_names_and_messages_as_typed(
    lead, project, language, django_capture_on_commit_callbacks
):
    from guests import services as guest_services

    lead.display_name = "Anne O'Neil & <Partners>"
    lead.save(update_fields=["display_name"])
    project.name = 'Lakeside "Trails" & co'
    project.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True), translation.override(language):
        guest_services.invitation_create(
            acting_user=lead,
            email="paula@funder.example",
            communities=[project],
            message="I'm glad you join us: <3 & see you soon",
        )
    message = mail.outbox[-1]
    assert "Anne O'Neil & <Partners>" in message.subject
    assert "&#x27;" not in message.subject and "&amp;" not in message.subject
    assert "I'm glad you join us: <3 & see you soon" in message.body
    assert "Anne O'Neil & <Partners>" in message.body
    assert 'Lakeside "Trails" & co' in message.body
    assert "&#x27;" not in message.body and "&quot;" not in message.body
    assert "&amp;" not in message.body and "&lt;" not in message.body
