"""One unambiguous date format per language, always in the reader's zone (issue 15, item 19):
``7 Mar 2027`` in English, ``7 mars 2027`` in French (month abbreviations in lower case), never
``03/07/2027``, ``Mar. 7, 2027`` nor Wagtail's relative "Just now" for a future date."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation

from communities import services as cs
from documents import services as document_services
from events import services as event_services
from events.access import feeds_for
from guests import services as guest_services
from portal.accounts import services as account_services
from tests.communities.conftest import add_guest
from tests.factories import GuestFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
# What the old formats wrote: numeric dates (read differently on each side of the Atlantic),
# AP-style months ("Dec. 6") and English month abbreviations in French pages.
AMBIGUOUS = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\. \d")


def test_one_format_per_language_with_french_months_in_lower_case():
    day = datetime.date(2027, 3, 7)
    with translation.override("en"):
        assert formats.date_format(day, "DATE_FORMAT") == "7 Mar 2027"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "7 Mar 2027"
        moment = datetime.datetime(2027, 3, 7, 9, 5)
        assert formats.date_format(moment, "DATETIME_FORMAT") == "7 Mar 2027, 09:05"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "7 Mar 2027, 09:05"
    with translation.override("fr"):
        assert formats.date_format(day, "DATE_FORMAT") == "7 mars 2027"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "7 mars 2027"
        months = [
            formats.date_format(datetime.date(2027, month, 7), "DATE_FORMAT").split(" ")[1]
            for month in range(1, 13)
        ]
        assert months == [m.lower() for m in months]
        assert months[5] != months[6]  # juin, juil. (not "Jui" twice)


def test_the_admin_writes_the_end_of_access_as_a_date_not_just_now(client, staff, project, lead):
    guest = GuestFactory(display_name="Julie Roux")
    membership = add_guest(project, guest)
    guest_services.guest_extend(
        acting_user=lead, membership=membership, until=datetime.date(2027, 3, 7)
    )
    client.force_login(staff)
    page = client.get(reverse("admin_guests:index")).content.decode()
    assert "7 Mar 2027, 23:59" in page
    assert "Just now" not in page
    account_services.user_profile_update(user=staff, acting_user=staff, language="fr")
    assert "7 mars 2027, 23:59" in client.get(reverse("admin_guests:index")).content.decode()


def test_last_fetched_is_in_the_readers_zone(project):
    guest = GuestFactory()
    add_guest(project, guest)
    feed, _token = event_services.feed_create(acting_user=guest, community=project)
    feed.last_used_at = datetime.datetime(2027, 3, 7, 12, 0, tzinfo=UTC)
    feed.save(update_fields=["last_used_at"])
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")), translation.override("en"):
        assert feeds_for(guest)[0].detail == "last fetched 7 Mar 2027, 07:00"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert "7 Mar 2027, 21:00" in feeds_for(guest)[0].detail


def test_the_agenda_writes_the_weekday_then_the_one_date_format(client, lead, project):
    event_services.event_create(
        acting_user=lead,
        community=project,
        title="Walk",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris",
            start_date=datetime.date(2026, 12, 15),
            start_time=datetime.time(10),
            end_time=datetime.time(11),
        ),
    )
    client.force_login(lead)
    url = reverse("events:community", args=[project.slug])
    assert "Tue 15 Dec 2026, 10:00" in client.get(url, {"month": "2026-12"}).content.decode()
    account_services.user_profile_update(user=lead, acting_user=lead, language="fr")
    assert "mar 15 déc. 2026, 10:00" in client.get(url, {"month": "2026-12"}).content.decode()


def test_english_pages_write_dates_one_way(client, lead, project):
    cs.post_create(acting_user=lead, community=project, body="Hello")
    document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter", "application/pdf"),
    )
    guest = GuestFactory()
    membership = add_guest(project, guest)
    guest_services.guest_extend(
        acting_user=lead, membership=membership, until=datetime.date(2027, 3, 7)
    )
    event_services.feed_create(acting_user=lead, community=project)
    client.force_login(lead)
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    pages = {
        "community": reverse("communities:detail", args=[project.slug]),
        "library": reverse("documents:library", args=[project.slug]),
        "guest report": reverse("guests:guest", args=[guest.pk]),
        "feeds": reverse("events:feeds"),
    }
    for name, url in pages.items():
        text = client.get(url).content.decode()
        assert not AMBIGUOUS.search(text), (name, AMBIGUOUS.search(text))
        assert today in text or "7 Mar 2027" in text, name
    assert "7 Mar 2027" in client.get(pages["guest report"]).content.decode()
