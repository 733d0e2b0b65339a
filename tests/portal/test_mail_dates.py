"""E-mails write dates as the pages do (QA #14): the named formats of portal/formats, in the
recipient's language and time zone, never ISO ("by 2026-12-14", "until 2026-12-21")."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, timezone, translation

from communities.notifications import choices_set
from documents import services as document_services
from guests import services as guest_services
from portal.core.mail import send_templated_email
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _by_address():
    return {message.to[0]: message for message in mail.outbox}


def test_a_review_request_gives_its_due_date_in_each_reviewers_language(
    lead, project, django_capture_on_commit_callbacks
):
    english = UserFactory(display_name="Ann Reader", language="en")
    french = UserFactory(display_name="Camille Lectrice", language="fr")
    for person in (english, french):
        add_member(project, lead, person)
        # Told of review requests by e-mail (by default, a daily digest reader reads it there).
        choices_set(acting_user=person, choices={"review.request": "email"})
    document = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter", "application/pdf"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        document_services.review_request_create(
            acting_user=lead,
            document=document,
            reviewers=[english, french],
            due_on=datetime.date(2030, 12, 14),
        )
    sent = _by_address()
    assert "(by 14 Dec 2030)" in sent[english.email].subject
    assert "by 14 Dec 2030." in sent[english.email].body
    assert "14 déc. 2030" in sent[french.email].subject
    assert "14 déc. 2030" in sent[french.email].body
    for message in sent.values():
        assert not ISO_DATE.search(message.subject + message.body), message.body


@pytest.mark.parametrize(("language", "month"), [("en", "Dec"), ("fr", "déc.")])
def test_a_guest_invitation_says_until_when_in_the_senders_language(
    lead, project, language, month, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), translation.override(language):
        invitation, _token = guest_services.invitation_create(
            acting_user=lead, email="julie@funder.example", communities=[project]
        )
    (message,) = mail.outbox
    with translation.override(language):
        # The day in the sender's zone (the mail's), not UTC's: they differ around midnight.
        local = timezone.localtime(invitation.expires_at, zoneinfo.ZoneInfo(lead.timezone))
        until = formats.date_format(local, "DATE_FORMAT")
    assert f" {month} " in f" {until} "
    assert until in message.body
    assert not ISO_DATE.search(message.body), message.body


def test_an_e_mail_reads_a_moment_in_the_recipients_time_zone():
    """The same end of access (23:59 in Paris) is the 21st in Los Angeles and already the 22nd
    in Auckland, as each recipient's pages would say."""
    west = UserFactory(language="en", timezone="America/Los_Angeles")
    east = UserFactory(language="fr", timezone="Pacific/Auckland")
    send_templated_email(
        "guests/email/invitation",
        to=[west, east],
        context={
            "inviter_name": "Lea Lead",
            "communities": "Lakeside Trails",
            "accept_url": "/invitations/x/",
            "expires_on": "2026-12-21T23:59:59+01:00",
        },
    )
    sent = _by_address()
    assert "until 21 Dec 2026)" in sent[west.email].body
    assert "22 déc. 2026" in sent[east.email].body
