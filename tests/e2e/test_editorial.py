"""Editors publish through the Wagtail admin, with the moderation workflow."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_editor_submits_news_moderator_approves_and_it_is_on_the_site(
    page, live_server, demo_site, shot
):
    from portal.pages.models import NewsIndexPage

    news_index = NewsIndexPage.objects.get()
    base = live_server.url

    # The editor writes a news page and submits it for moderation.
    sign_in(page, base, "claire.dubois@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/admin/pages/add/pages/newspage/{news_index.pk}/")
    page.get_by_placeholder("Page title*").fill("Graphic charter: your remarks wanted")
    page.locator("#id_intro").fill("The draft charter is out for the partners' review.")
    tags = page.locator(".tagit-new input")
    tags.fill("charter")
    tags.press("Enter")
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Moderators approval").click()
    expect(page.locator(".messages")).to_contain_text("submitted for moderation")
    shot(page, "editorial-1-submitted")

    # Not on the site yet.
    page.goto(f"{base}/news/")
    expect(page.get_by_text("Graphic charter: your remarks wanted")).to_have_count(0)
    page.locator("header .user-menu summary").click()
    page.locator("header").get_by_role("button", name="Sign out").click()
    # The form is posted once the device's caches and push are cleared (pwa.js): wait for it.
    expect(page.locator("header .user-menu")).to_have_count(0)

    # The moderator approves it from the admin.
    sign_in(page, base, "marc.lefevre@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/admin/")
    page.get_by_role("link", name=re.compile("Graphic charter")).first.click()
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("has been updated")

    # Visitors see it on the site.
    page.goto(f"{base}/news/")
    page.get_by_role("link", name="Graphic charter: your remarks wanted").click()
    expect(page.locator("h1")).to_have_text("Graphic charter: your remarks wanted")
    expect(page.get_by_role("link", name="#charter")).to_be_visible()
    shot(page, "editorial-2-published")
