"""Journey 4: the lead schedules a weekly series in the project space; a guest answers,
subscribes with a private feed URL, fetches it like a calendar application would, revokes
it, and the URL answers 404."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_weekly_series_guest_answers_subscribes_and_revokes_the_feed(
    page, browser, live_server, demo_site, shot
):
    base = live_server.url
    start = timezone.localdate() + datetime.timedelta(days=1)

    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/")
    page.locator(".actions").get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title").fill("Weekly site visit")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End time").fill("08:00")
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("Number of occurrences").fill("4")
    page.get_by_label("Location").fill("Lakeside trailhead")
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("alert").first).to_contain_text("The event ends before it starts.")
    page.get_by_label("End time").fill("10:30")
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("status").first).to_contain_text("The event is in the calendar.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly site visit")
    expect(page.locator("dl.details")).to_contain_text("Weekly")
    expect(page.locator("dl.details")).to_contain_text("4 times")
    page.get_by_role("link", name="Calendar of Lakeside Trails").click()
    page.get_by_role("link", name="Month", exact=True).click()
    expect(page.locator(".month-grid")).to_contain_text("Weekly site visit")
    shot(page, "events-0-month")
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing wider than it
    page.get_by_role("link", name="List", exact=True).click()
    expect(page.locator(".agenda")).to_contain_text("Weekly site visit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    julie = browser.new_page()
    sign_in(julie, base, "julie.roux@funder-region.example", demo_site.DEMO_PASSWORD)
    julie.goto(f"{base}/calendar/")
    julie.get_by_role("link", name="Weekly site visit").first.click()
    julie.get_by_role("button", name="Yes", exact=True).click()
    expect(julie.locator("#rsvp")).to_contain_text("Your answer: Yes")
    expect(julie.locator("#rsvp")).to_contain_text("1 yes")
    shot(julie, "events-1-rsvp")

    julie.get_by_role("link", name="Calendar of Lakeside Trails").click()
    julie.get_by_role("link", name="Subscribe in your calendar application").click()
    julie.get_by_label("New feed for").select_option(label="Lakeside Trails")
    julie.get_by_role("button", name="Create a feed").click()
    feed_url = julie.get_by_label("Your feed address (shown once)").input_value()
    assert feed_url.startswith(f"{base}/calendar/feeds/") and feed_url.endswith(".ics")
    shot(julie, "events-2-feed")

    calendar_app = browser.new_context()  # no session: the token is the only key
    fetched = calendar_app.request.get(feed_url)
    assert fetched.status == 200
    assert fetched.headers["content-type"].startswith("text/calendar")
    body = fetched.text()
    assert "SUMMARY:Weekly site visit" in body and "RRULE:FREQ=WEEKLY;COUNT=4" in body
    assert "SUMMARY:Steering committee" in body  # the demo's monthly series
    again = calendar_app.request.get(feed_url, headers={"If-None-Match": fetched.headers["etag"]})
    assert again.status == 304

    julie.reload()  # the address is not shown again
    expect(julie.get_by_label("Your feed address (shown once)")).to_have_count(0)
    julie.get_by_role("button", name="Revoke").click()
    expect(julie.get_by_role("status").first).to_contain_text("The feed is revoked")
    assert calendar_app.request.get(feed_url).status == 404
    calendar_app.close()
    julie.close()
