"""The Content-Security-Policy as a browser applies it, the admin's door for those without
access, and the French header (issue 15, items 7, 8 and 21)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def csp_reports(page) -> list[str]:
    """Every refusal the browser logs on the pages visited (console and CSP events)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def test_nothing_is_refused_by_the_policy_on_site_and_admin_pages(
    page, live_server, demo_site, shot
):
    from portal.pages.models import NewsPage

    base = live_server.url
    refused = csp_reports(page)
    sign_in(page, base, "admin@parvis.example", demo_site.DEMO_PASSWORD)
    for path in ("/", "/communities/", "/communities/lakeside-trails/", "/people/", "/feed/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        # htmx runs under the policy: the bell's count arrives after the page.
        expect(page.locator(".bell[hx-get]")).to_have_count(1)
    page.goto(f"{base}/communities/lakeside-trails/")
    expect(page.get_by_role("link", name="Admin")).to_have_count(1)  # item 9: not hidden
    news = NewsPage.objects.live().first()
    for path in ("/admin/", "/admin/adoption/", f"/admin/pages/{news.pk}/edit/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
    expect(page.locator("#id_date")).to_be_visible()  # Wagtail's date widget (inline script)
    page.locator("#id_date").click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    shot(page, "security-1-admin-edit")
    assert refused == [], refused


@pytest.mark.parametrize(
    "email", ["julie.roux@funder-region.example", "camille.martin@parvis.example"]
)
def test_no_admin_access_shows_a_page_not_a_redirect_loop(page, live_server, demo_site, email):
    base = live_server.url
    sign_in(page, base, email, demo_site.DEMO_PASSWORD)
    for path in ("/admin/", "/admin/adoption/"):
        response = page.goto(f"{base}{path}")
        assert response.status == 403
        expect(page.get_by_role("heading", name="No access")).to_be_visible()
    page.get_by_role("link", name="Back to the home page").click()
    expect(page).to_have_url(f"{base}/")


def test_the_french_header_holds_on_one_row_and_opens_on_a_phone(
    page, live_server, demo_site, shot
):
    from portal.accounts.models import User

    User.objects.filter(email="camille.martin@parvis.example").update(language="fr")
    base = live_server.url
    refused = csp_reports(page)
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    header = page.locator(".site-header .header-row")
    shot(page, "security-2-header-fr-1280")
    brand = page.locator(".site-header .brand").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    last_link = page.locator(".nav-list li").last.bounding_box()
    # One row: the brand, the last section and the tools share a line.
    for box in (tools, last_link):
        assert abs(box["y"] + box["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 12, box

    # A confirmation asked by parvis.js from a data- attribute, in French: the page's dialog.
    page.goto(f"{base}/communities/lakeside-trails/")
    posts = page.locator(".post")
    before = posts.count()
    dialog = page.get_by_role("dialog")
    posts.first.get_by_role("button", name="Supprimer", exact=True).click()
    expect(dialog.get_by_role("heading")).to_have_text("Supprimer cette publication\u00a0?")
    dialog.get_by_role("button", name="Annuler").click()
    expect(posts).to_have_count(before)  # cancelled: nothing was sent
    posts.first.get_by_role("button", name="Supprimer", exact=True).click()
    dialog.locator("[data-confirm-button]").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(posts).to_have_count(before - 1)
    page.set_viewport_size({"width": 375, "height": 800})
    menu = page.locator("#site-menu summary")  # a <details>: no handler at all
    expect(page.locator("#site-menu nav")).to_be_hidden()
    menu.click()
    expect(page.locator("#site-menu nav")).to_be_visible()
    expect(page.locator("#site-menu")).to_have_attribute("open", "")
    assert header.bounding_box()["width"] <= 375
    shot(page, "security-3-header-fr-375")
    assert refused == [], refused
