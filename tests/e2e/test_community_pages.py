"""An editor writes news for one community in the Wagtail admin, publishes it, and pushes
it into the community's feed; a member finds it on their home page and in the feed."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Signage quotes: the shortlist"


def test_an_editor_publishes_a_page_to_a_community(page, live_server, demo_site, shot):
    from portal.pages.models import NewsIndexPage

    base = live_server.url
    index = NewsIndexPage.objects.get()
    sign_in(page, base, "marc.lefevre@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/admin/pages/add/pages/newspage/{index.pk}/")
    page.get_by_placeholder("Page title*").fill(TITLE)
    page.locator("#id_intro").fill("Three suppliers are shortlisted for the signage.")
    page.get_by_role("tab", name="Settings").click()
    page.locator("#id_community").select_option(label="Lakeside Trails")
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("published")

    from portal.pages.models import NewsPage

    news = NewsPage.objects.get(title=TITLE)
    page.goto(f"{base}/admin/pages/{news.pk}/edit/")
    page.get_by_role("button", name="Actions", exact=True).click()
    page.get_by_role("link", name="Publish to community").click()
    expect(page.get_by_text("Lakeside Trails").first).to_be_visible()
    shot(page, "pages-1-publish-to-community")
    page.get_by_role("button", name="Publish to community").click()
    expect(page.get_by_text("is now in the feed of Lakeside Trails")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/")
    communities = page.get_by_role("region", name="My communities")
    expect(communities.get_by_role("listitem").filter(has_text="Lakeside Trails")).to_contain_text(
        "new"
    )
    expect(page.locator("main")).to_contain_text(TITLE)  # the editors' latest news
    shot(page, "pages-2-home-dashboard")
    communities.get_by_role("link", name="Lakeside Trails").click()
    post = page.locator(".post").filter(has_text=TITLE)
    expect(post).to_contain_text("From the editors")
    expect(post).to_contain_text("Marc Lefèvre")
    shot(page, "pages-3-in-the-feed")
    post.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    page.goto(f"{base}/")  # the feed was opened: nothing new any more
    expect(
        page.get_by_role("region", name="My communities")
        .get_by_role("listitem")
        .filter(has_text="Lakeside Trails")
    ).not_to_contain_text("new")
