import pytest
from django.core import mail

from portal.mail import Recipient, send_templated_email
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
