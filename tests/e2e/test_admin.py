"""An administrator archives a community from the Wagtail admin's bulk actions, then sees it
read-only on the site."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_administrator_archives_a_community_in_bulk(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "admin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="Communities").click()
    page.get_by_role("link", name="Communities").last.click()
    expect(page.get_by_role("heading", name="Communities", level=1)).to_be_visible()
    page.goto(f"{page.url}?q=Annecy")  # the search box's own results arrive asynchronously
    expect(page.locator("input[data-bulk-action-checkbox]")).to_have_count(1)
    row = page.locator("tbody tr", has_text="Annecy office")
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    shot(page, "admin-1-communities")
    page.locator("[data-bulk-action-footer]").get_by_role("link", name="Archive").click()
    expect(page.get_by_text("Archive these communities?")).to_be_visible()
    page.get_by_role("button", name="Yes, archive").click()
    expect(page.get_by_text("1 community archived.")).to_be_visible()
    shot(page, "admin-2-archived")
    row = page.locator("tbody tr", has_text="Annecy office")
    row.get_by_role("link", name="Community page").click()
    expect(page.get_by_text("archived (read-only)")).to_be_visible()
