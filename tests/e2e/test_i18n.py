"""Every page in English and French: the language switch and the profile's language."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_visitor_switches_the_home_page_to_french(page, live_server, demo_site, shot):
    base = live_server.url
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to Parvis")).to_be_visible()
    shot(page, "i18n-1-home-fr")


def test_member_reading_in_french_keeps_french_after_signing_in(page, live_server, demo_site):
    from portal.accounts.models import User

    User.objects.filter(email="hugo.bernard@parvis.example").update(language="fr")
    base = live_server.url
    sign_in(page, base, "hugo.bernard@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnes")
    expect(page.get_by_label("Rechercher des personnes")).to_be_visible()
