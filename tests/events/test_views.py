"""Calendar pages, RSVP, downloads, feeds and import, through the HTTP layer."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import services as cs
from events import services
from events.models import RSVP, CalendarFeed, Event
from portal.accounts import services as account_services
from tests.events.conftest import make_event, paris
from tests.events.test_ical import GOOD, HOSTILE, ics

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
MARCH = {"month": "2027-03"}


def test_the_community_agenda_lists_and_grids_the_month_in_the_viewers_zone(
    client, lead, project, julie
):
    make_event(
        lead, project, title="Steering committee", freq="weekly", count=4, start=paris(2027, 3, 15)
    )
    account_services.user_profile_update(user=julie, acting_user=julie, timezone="America/New_York")
    client.force_login(julie)
    url = reverse("events:community", args=[project.slug])
    page = client.get(url, MARCH)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("Steering committee") == 3  # 15, 22, 29 March
    # New York changes its clocks on 14 March, Paris on 28 March: 10:00 in Paris is 05:00 in
    # New York in between, and 04:00 again after both changes.
    assert "Mon 15 Mar 2027, 05:00" in text and "Mon 29 Mar 2027, 04:00" in text
    assert "America/New_York" in text
    grid = client.get(url, {**MARCH, "view": "month"})
    assert grid.status_code == 200 and '<table class="month-grid">' in grid.content.decode()
    assert grid.content.decode().count("Steering committee") == 3


def test_agenda_lines_are_cached_yet_show_each_readers_answer_and_every_change(
    client, lead, project, julie, colleague
):
    event = make_event(lead, project, title="Trail walk", start=paris(2027, 3, 10))
    url = reverse("events:community", args=[project.slug])
    services.rsvp_set(acting_user=julie, event=event, answer="yes")
    client.force_login(colleague)
    assert "Your answer:" not in client.get(url, MARCH).content.decode()
    client.force_login(julie)
    mine = client.get(url, MARCH).content.decode()
    assert "Your answer: Yes" in mine
    client.force_login(colleague)
    again = client.get(url, MARCH)
    assert "events/_list_item.html" not in {t.name for t in again.templates}  # cached
    assert "Your answer:" not in again.content.decode()
    services.event_update(acting_user=lead, event=event, title="Trail walk (by the lake)")
    assert "Trail walk (by the lake)" in client.get(url, MARCH).content.decode()
    account_services.user_profile_update(user=colleague, acting_user=colleague, language="fr")
    assert ">mer 10 mars 2027, 10:00" in client.get(url, MARCH).content.decode()  # not "Wed"


@pytest.mark.parametrize("month", ["garbage", "2027-13", "2027-3-1", "99999-01", ""])
def test_a_malformed_month_shows_this_month(client, julie, month):
    client.force_login(julie)
    response = client.get(reverse("events:calendar"), {"month": month, "view": "month"})
    assert response.status_code == 200
    today = datetime.datetime.now(zoneinfo.ZoneInfo(julie.timezone)).date()
    assert response.context["month"] == today.replace(day=1)


def test_guests_see_only_their_communities_events(client, lead, project, julie, stranger_guest):
    other = cs.community_create(acting_user=lead, name="Sales", visibility="private")
    event = make_event(lead, project, start=paris(2027, 3, 10))
    secret = make_event(lead, other, title="Price review", start=paris(2027, 3, 11))
    client.force_login(julie)
    mine = client.get(reverse("events:calendar"), MARCH).content.decode()
    assert event.title in mine and "Price review" not in mine
    assert client.get(reverse("events:detail", args=[secret.pk])).status_code == 404
    assert client.get(reverse("events:ics", args=[secret.pk])).status_code == 404
    assert client.get(reverse("events:community", args=[other.slug])).status_code == 404
    client.force_login(stranger_guest)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404
    assert client.get(reverse("events:detail", args=[99999])).status_code == 404


def test_a_lead_creates_a_weekly_series_with_clear_errors_first(client, lead, project):
    client.force_login(lead)
    url = reverse("events:create", args=[project.slug])
    assert client.get(url).status_code == 200
    data = {
        "title": "Steering committee",
        "start_date": "2027-03-01",
        "start_time": "10:00",
        "end_time": "09:00",
        "tz": "Europe/Paris",
        "freq": "weekly",
        "interval": "1",
        "count": "6",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "The event ends before it starts." in refused.content.decode()
    created = client.post(url, {**data, "end_time": "11:30"})
    event = Event.objects.get()
    assert created["Location"] == reverse("events:detail", args=[event.pk])
    assert event.freq == "weekly" and event.count == 6
    assert event.start == paris(2027, 3, 1)


def test_edit_one_occurrence_then_the_series(client, lead, project):
    event = make_event(lead, project, freq="weekly", count=4)
    client.force_login(lead)
    at = "20270308T090000Z"
    url = reverse("events:edit", args=[event.pk])
    form = client.get(url, {"at": at})
    assert "Only the occurrence of" in form.content.decode()
    client.post(
        f"{url}?at={at}",
        {
            "title": "Committee (moved)",
            "start_date": "2027-03-09",
            "start_time": "14:00",
            "end_time": "15:00",
            "tz": "Europe/Paris",
        },
    )
    page = client.get(reverse("events:detail", args=[event.pk]), {"at": at}).content.decode()
    assert "Committee (moved)" in page and "this occurrence was changed" in page
    assert client.get(url).status_code == 200
    client.post(reverse("events:cancel", args=[event.pk]), {"at": "20270315T090000Z"})
    listing = client.get(reverse("events:community", args=[project.slug]), MARCH).content.decode()
    assert "Cancelled" in listing and "Committee (moved)" in listing


def test_rsvp_with_htmx_and_the_attendee_list_respects_who_sees_whom(
    client, lead, project, julie, colleague
):
    event = make_event(lead, project, capacity=10)
    client.force_login(julie)
    url = reverse("events:rsvp", args=[event.pk])
    answer = client.post(url, {"answer": "yes"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert 'aria-pressed="true"' in answer.content.decode()
    assert answer.content.decode().startswith('<section id="rsvp"')
    assert RSVP.objects.get().answer == "yes"
    client.post(url, {"answer": "perhaps"})
    assert RSVP.objects.get().answer == "yes"
    client.force_login(colleague)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Julie Roux" in page and "1 yes" in page


def test_only_the_chosen_rsvp_answer_looks_selected(client, lead, project, julie):
    event = make_event(lead, project)
    client.force_login(julie)
    url = reverse("events:rsvp", args=[event.pk])
    for answer in ("maybe", "yes", "no"):
        page = client.post(url, {"answer": answer}, HTTP_HX_REQUEST="true").content.decode()
        buttons = dict(
            re.findall(r'<button type="submit" name="answer" value="(\w+)"([^>]*)>', page)
        )
        assert set(buttons) == {"yes", "maybe", "no"}
        for value, attributes in buttons.items():
            chosen = value == answer
            # The primary (filled) style marks the answer; the others stay secondary.
            assert ("button-secondary" not in attributes) is chosen, (answer, value)
            assert f'aria-pressed="{str(chosen).lower()}"' in attributes, (answer, value)


def test_ics_download(client, lead, project, julie):
    event = make_event(lead, project, title="Launch; phase 1, part 2")
    client.force_login(julie)
    response = client.get(reverse("events:ics", args=[event.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Launch; phase 1, part 2"
    assert str(vevent["UID"]) == event.uid


def _feed_path(client, community=None) -> str:
    client.post(reverse("events:feeds"), {"community": community.slug if community else ""})
    page = client.get(reverse("events:feeds")).content.decode()
    start = page.index('id="new-feed-url" value="') + len('id="new-feed-url" value="')
    url = page[start : page.index('"', start)]
    assert client.get(reverse("events:feeds")).content.decode().count("new-feed-url") == 0
    return url.replace("http://testserver", "")


def test_a_feed_url_is_shown_once_works_without_a_session_and_answers_304(
    client, lead, project, julie
):
    make_event(lead, project, title="Steering committee", freq="monthly", count=12)
    client.force_login(julie)
    path = _feed_path(client, project)
    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert b"Steering committee" in response.content
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    event = Event.objects.get()
    services.event_update(acting_user=lead, event=event, title="Steering committee (new room)")
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert CalendarFeed.objects.get().last_used_at is not None


def test_the_served_feed_expands_in_an_independent_reader_across_the_spring_change(
    client, lead, project, julie
):
    make_event(lead, project, title="Weekly", start=paris(2027, 3, 15), freq="weekly", count=4)
    client.force_login(julie)
    path = _feed_path(client)
    client.logout()
    for _fetch in range(2):  # built, then from the cached events
        calendar = icalendar.Calendar.from_ical(client.get(path).content)
        starts = sorted(
            o["DTSTART"].dt
            for o in recurring_ical_events.of(calendar).between(
                datetime.date(2027, 3, 1), datetime.date(2027, 5, 1)
            )
        )
        local = [s.astimezone(zoneinfo.ZoneInfo("Europe/Paris")) for s in starts]
        assert [(d.month, d.day, d.hour) for d in local] == [
            (3, 15, 10),
            (3, 22, 10),
            (3, 29, 10),
            (4, 5, 10),
        ]
        assert starts[1].astimezone(UTC).hour == 9 and starts[2].astimezone(UTC).hour == 8


def test_changes_are_serialised_for_the_feeds_once_committed(
    client, lead, project, julie, django_capture_on_commit_callbacks
):
    client.force_login(julie)
    path = _feed_path(client, project)
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(lead, project, title="Warm", freq="weekly", count=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(acting_user=lead, event=event, occurrence_start=paris(2027, 3, 8))
    with CaptureQueriesContext(connection) as fetched:
        response = client.get(path)
    assert b"SUMMARY:Warm" in response.content and b"STATUS:CANCELLED" in response.content
    # ready in the cache: the feed read no event and no changed occurrence
    assert not [q for q in fetched.captured_queries if '"events_occurrence"' in q["sql"]]


def test_a_polled_feed_is_served_whole_from_the_cache_until_something_changes(
    client, lead, project, julie
):
    from django.core.cache import cache

    from events import selectors

    event = make_event(lead, project, title="Polled", freq="weekly", count=3)
    client.force_login(julie)
    path = _feed_path(client, project)
    client.logout()
    first = client.get(path).content
    url = selectors._event_url_template()
    cache.delete_many([selectors._fragment_key(row, url) for row in selectors.rows_of([event])])
    with CaptureQueriesContext(connection) as polled:
        again = client.get(path)
    assert again.content == first  # the whole calendar, under its ETag
    assert not [q for q in polled.captured_queries if '"events_occurrence"' in q["sql"]]
    services.event_update(acting_user=lead, event=event, title="Polled (moved)")
    changed = client.get(path).content
    assert b"SUMMARY:Polled (moved)" in changed and changed != first


def test_a_feed_stops_at_once_when_the_guests_access_ends(client, lead, project, julie):
    make_event(lead, project)
    client.force_login(julie)
    one = _feed_path(client, project)
    every = _feed_path(client)
    client.logout()
    assert client.get(one).status_code == 200 and client.get(every).status_code == 200
    membership = julie.memberships.get()
    membership.expires_at = datetime.datetime.now(UTC) - datetime.timedelta(seconds=1)
    membership.save()
    assert client.get(one).status_code == 404
    assert client.get(every).status_code == 404


def test_a_feed_stops_when_a_lead_removes_the_guest_or_the_account_is_deactivated(
    client, lead, project, julie, colleague
):
    make_event(lead, project)
    client.force_login(julie)
    guest_feed = _feed_path(client, project)
    client.force_login(colleague)
    member_feed = _feed_path(client)
    client.logout()
    assert client.get(guest_feed).status_code == 200
    cs.membership_remove(acting_user=lead, membership=julie.memberships.get())
    assert client.get(guest_feed).status_code == 404
    assert client.get(member_feed).status_code == 200
    # an administrator deactivates the account (the Wagtail admin's user form)
    type(colleague).objects.filter(pk=colleague.pk).update(is_active=False)
    assert client.get(member_feed).status_code == 404


def test_tokens_are_bound_to_their_feed_and_rotate_and_revoke_separately(
    client, lead, project, julie
):
    make_event(lead, project)
    client.force_login(julie)
    first = _feed_path(client, project)
    second = _feed_path(client)
    first_pk, first_token = first.split("/")[-2], first.split("/")[-1]
    second_pk = second.split("/")[-2]
    swapped = first.replace(f"/{first_pk}/", f"/{second_pk}/")
    assert client.get(swapped).status_code == 404
    tampered = ("A" if first_token[0] != "A" else "B") + first_token[1:]
    assert client.get(first.replace(first_token, tampered)).status_code == 404
    client.post(reverse("events:feed_rotate", args=[first_pk]))
    page = client.get(reverse("events:feeds")).content.decode()
    start = page.index('id="new-feed-url" value="') + len('id="new-feed-url" value="')
    rotated = page[start : page.index('"', start)].replace("http://testserver", "")
    assert client.get(first).status_code == 404
    assert client.get(rotated).status_code == 200
    assert client.get(second).status_code == 200
    client.post(reverse("events:feed_revoke", args=[second_pk]))
    assert client.get(second).status_code == 404
    assert client.get(rotated).status_code == 200
    client.force_login(lead)  # nobody else revokes my feed
    assert client.post(reverse("events:feed_revoke", args=[first_pk])).status_code == 404


def _make(lead, project, n):
    for i in range(n):
        make_event(
            lead,
            project,
            title=f"E{i}",
            start=paris(2027, 3, 1 + i % 27, 9),
            freq="weekly" if i % 3 == 0 else "",
            count=4 if i % 3 == 0 else None,
        )


@pytest.mark.parametrize("route", ["community", "calendar"])
def test_agenda_query_count_does_not_grow(
    client, lead, project, julie, route, django_assert_max_num_queries
):
    client.force_login(julie)
    url = (
        reverse("events:community", args=[project.slug])
        if route == "community"
        else reverse("events:calendar")
    )
    _make(lead, project, 10)
    event = Event.objects.first()
    services.rsvp_set(acting_user=julie, event=event, answer="yes")
    client.get(url)  # the throttled "last seen" write happens on a first request
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, MARCH).status_code == 200
    _make(lead, project, 990)
    with CaptureQueriesContext(connection) as large, django_assert_max_num_queries(10):
        assert client.get(url, {**MARCH, "view": "month"}).status_code == 200
    assert len(small) == len(large)


def test_feed_query_count_does_not_grow(
    client, lead, project, julie, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    # A cache that holds a thousand serialised events, like the production Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
    client.force_login(julie)
    path = _feed_path(client, project)
    every = _feed_path(client)
    client.logout()
    _make(lead, project, 10)

    def count(url, *, cold: bool, **headers) -> int:
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(url, **headers)
        return len(captured)

    with django_assert_max_num_queries(6):  # the first fetch of the hour notes the time
        client.get(path)
    small = (count(path, cold=True), count(path, cold=False))
    _make(lead, project, 990)
    large = (count(path, cold=True), count(path, cold=False))
    assert small == large and max(large) <= 6
    with django_assert_max_num_queries(6):
        response = client.get(path)
    assert response.content.count(b"BEGIN:VEVENT") == 1000
    client.get(every)
    assert count(every, cold=True) <= 6
    assert count(path, cold=False, HTTP_IF_NONE_MATCH=response["ETag"]) <= 3


def test_import_preview_then_confirm_and_hostile_files_import_nothing(client, lead, project):
    client.force_login(lead)
    url = reverse("events:import", args=[project.slug])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"file": SimpleUploadedFile("x.ics", HOSTILE["huge count"][0])})
    assert bad.status_code == 400
    assert "COUNT=1000000000" in bad.content.decode()
    preview = client.post(url, {"file": SimpleUploadedFile("agenda.ics", ics(GOOD))})
    assert preview.status_code == 200 and "Trail launch" in preview.content.decode()
    assert not Event.objects.exists()  # nothing before confirmation
    pending = preview.context["pending"]
    done = client.post(reverse("events:import_confirm", args=[project.slug, pending.pk]))
    assert done.status_code == 302
    assert Event.objects.get().title == "Trail launch"
    again = client.post(reverse("events:import_confirm", args=[project.slug, pending.pk]))
    assert again.status_code == 302 and Event.objects.count() == 1
    second = client.post(url, {"file": SimpleUploadedFile("agenda.ics", ics(GOOD))})
    assert "updates the existing event" in second.content.decode()


def test_times_show_in_each_viewers_zone_on_the_event_page(client, lead, project, julie):
    event = make_event(lead, project, start=paris(2027, 7, 1, 10))
    account_services.user_profile_update(user=julie, acting_user=julie, timezone="Asia/Tokyo")
    client.force_login(julie)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Thursday 1 July 2027, 17:00" in page and "Asia/Tokyo" in page
