"""The components' behaviours in a browser (issue 17): the confirmation dialog of data-confirm
forms, toasts (Django's messages and the htmx event) and the style guide."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_destructive_action_asks_in_a_dialog(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "admin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/")
    posts = page.locator(".feed .post")
    before = posts.count()
    delete = posts.first.get_by_role("button", name="Delete", exact=True)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_hidden()

    # Escape cancels; the focus goes back to the button that asked.
    delete.click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Delete this post?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    shot(page, "components-1-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    expect(posts).to_have_count(before)

    # Cancel does nothing either.
    delete.click()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(posts).to_have_count(before)

    # In the modal dialog, Tab moves from Cancel to the action.
    delete.click()
    page.keyboard.press("Tab")
    expect(dialog.locator("[data-confirm-button]")).to_be_focused()

    # Confirmed, the form is sent.
    dialog.locator("[data-confirm-button]").click()
    expect(posts).to_have_count(before - 1)
    toast = page.get_by_role("status").locator(".toast")
    expect(toast.locator(".toast-text")).to_have_text("The post was deleted.")
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)


def test_toasts_leave_unless_they_are_errors(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "admin@parvis.example", demo_site.DEMO_PASSWORD)
    page.clock.install()
    page.goto(f"{base}/styleguide/?toasts=1")
    region = page.locator("#toasts")
    expect(region).to_have_class("toasts is-floating")
    expect(region.locator(".toast")).to_have_count(4)
    expect(region.locator(".toast-error")).to_have_attribute("role", "alert")
    shot(page, "components-2-toasts")
    page.clock.run_for(7000)
    expect(region.locator(".toast")).to_have_count(2)
    expect(region.locator(".toast-warning")).to_have_count(1)
    expect(region.locator(".toast-error")).to_have_count(1)

    # An htmx response adds one through its HX-Trigger header.
    page.get_by_role("button", name="Add one as htmx would").click()
    expect(region.locator(".toast-success .toast-text")).to_have_text("The event was saved.")
    expect(region.locator(".toast-success").get_by_role("button", name="Dismiss")).to_be_visible()


def test_the_style_guide_confirms_and_switches_mode_and_language(
    page, live_server, demo_site, shot
):
    base = live_server.url
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, base, "admin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/styleguide/?theme=dark")
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"
    page.get_by_role("button", name="Try it").click()
    page.get_by_role("dialog").locator("[data-confirm-button]").click()
    expect(page.locator("#toasts")).to_contain_text("Confirmed: the form was sent.")
    assert "confirmed=1" in page.url and "theme=dark" in page.url
    page.get_by_role("button", name="Voir en français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guide de style")
    page.set_viewport_size({"width": 375, "height": 800})
    # The stacked table: each row a card, each cell named by its column.
    cell = page.locator(".table-stack tbody tr").first.locator("td").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Personne"', label
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "components-3-styleguide-fr-dark-375")
    assert refused == [], refused
