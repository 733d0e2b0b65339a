"""Journey 1 (the parts that exist): a newcomer signs in, completes their profile, finds
colleagues in the directory."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.images import png_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_newcomer_completes_profile_and_finds_colleagues(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "sarah.petit@parvis.example", demo_site.DEMO_PASSWORD)

    page.goto(f"{base}/profile/")
    meter = page.locator("progress").first
    expect(meter).to_have_attribute("value", "50")
    page.get_by_label("Phone").fill("+33 4 50 00 00 09")
    page.get_by_label("Short bio").fill("I welcome visitors at the Annecy office. <b>Hi!</b>")
    page.get_by_label("Skills").fill("tourism, languages")
    page.get_by_label("Photo").set_input_files(
        files=[{"name": "sarah.png", "mimeType": "image/png", "buffer": png_bytes(96, 96)}]
    )
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved.")
    expect(page.get_by_role("heading", name="Your profile is 100% complete")).to_be_visible()
    expect(page.locator(".bio")).to_have_text("I welcome visitors at the Annecy office. <b>Hi!</b>")
    expect(page.locator("main img.avatar")).to_be_visible()
    shot(page, "people-1-profile")

    page.goto(f"{base}/people/")
    page.get_by_label("Search people").fill("funding")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#people-list")
    expect(results).to_contain_text("Camille Martin")
    expect(results).not_to_contain_text("Louis Garnier")
    expect(results).not_to_contain_text("Julie Roux")  # a guest: not in the internal directory

    page.get_by_label("Search people").fill("")
    page.get_by_label("Location").select_option("Annecy")
    page.get_by_role("button", name="Search").click()
    expect(results).to_contain_text("Sarah Petit")
    expect(results).to_contain_text("Camille Martin")
    expect(results).not_to_contain_text("Hugo Bernard")
    shot(page, "people-2-directory")
    page.get_by_role("link", name="Camille Martin", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Camille Martin")
    expect(page.get_by_text("Project lead, Lakeside Trails")).to_be_visible()


def test_directory_on_a_phone(page, live_server, demo_site, shot):
    page.set_viewport_size({"width": 375, "height": 800})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("camille.martin@parvis.example")
    page.get_by_label("Password").fill(demo_site.DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.goto(f"{base}/people/")
    # The navigation folds behind a menu button that works with the keyboard.
    people_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="People")
    expect(people_link).to_be_hidden()
    page.locator("summary.menu-toggle").focus()  # a <details>
    page.keyboard.press("Enter")
    expect(people_link).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"
    shot(page, "people-3-phone")


def test_guest_sees_only_the_people_of_her_community(page, live_server, demo_site):
    base = live_server.url
    sign_in(page, base, "julie.roux@funder-region.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/people/")
    people = page.locator("#people-list")
    # Julie is a guest of Lakeside Trails: its members and guests, herself, nobody else.
    expect(people.locator("li")).to_have_count(5)
    for name in ("Julie Roux", "Camille Martin", "Hugo Bernard", "Claire Dubois", "Marc Blanc"):
        expect(people).to_contain_text(name)
    expect(people).not_to_contain_text("Louis Garnier")
