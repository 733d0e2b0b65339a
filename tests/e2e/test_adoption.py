"""Leaders watch adoption: an administrator opens the adoption report in the Wagtail admin,
looks at one community, and exports the numbers as CSV."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_administrator_reads_and_exports_the_adoption_report(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "admin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Adoption").click()
    expect(page.get_by_role("heading", name="Adoption", level=1)).to_be_visible()
    table = page.locator("table").first
    expect(table).to_contain_text("Connection rate (%)")
    expect(table).to_contain_text("Invitations sent")
    page.get_by_label("Community").select_option(label="Lakeside Trails")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Lakeside Trails")).to_be_visible()
    expect(page.locator("svg[role=img]")).to_be_visible()
    shot(page, "adoption-1-report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export (CSV)").click()
    lines = Path(download_info.value.path()).read_text().splitlines()
    assert lines[0] == "kpi,internal,guests,all"
    assert any(line.startswith("posts,") for line in lines)
