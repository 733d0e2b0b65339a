"""Mail becomes a digest: a guest follows a mention from the bell, chooses a daily digest,
previews it, and later unsubscribes in one click from the link in the e-mail."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JULIE = "julie.roux@funder-region.example"


def test_bell_preferences_preview_and_one_click_unsubscribe(
    page, browser, live_server, demo_site, shot
):
    from communities.models import DigestPreference
    from communities.notifications import unsubscribe_url
    from portal.accounts.models import User

    base = live_server.url
    sign_in(page, base, JULIE, demo_site.DEMO_PASSWORD)
    # A mention, and the charter's review request (seed_demo).
    bell = page.get_by_role("link", name="Notifications, 2 unread")
    expect(bell).to_be_visible()
    bell.click()
    page.get_by_role("link", name="Camille Martin mentioned you").click()
    expect(page.get_by_text("your remarks are welcome")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()

    page.goto(f"{base}/notifications/settings/")
    expect(page.get_by_label("Nothing")).to_be_checked()  # guests: no digest without consent
    page.get_by_label("Daily digest").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    page.get_by_role("link", name="Preview my next digest").click()
    expect(page.get_by_role("heading", name="Lakeside Trails")).to_be_visible()
    expect(page.get_by_role("heading", name="Sustainable tourism")).to_have_count(0)
    shot(page, "digests-1-preview")

    julie = User.objects.get(email=JULIE)
    mail_client = browser.new_page()  # the link in the e-mail: no session, no cookie
    mail_client.goto(base + unsubscribe_url(julie))
    expect(mail_client.get_by_text("Stop every digest sent to")).to_be_visible()
    assert DigestPreference.objects.get(user=julie, community=None).frequency == "daily"
    mail_client.get_by_role("button", name="Unsubscribe").click()
    expect(mail_client.get_by_role("status")).to_contain_text("you will receive no more digests")
    shot(mail_client, "digests-2-unsubscribed")
    assert DigestPreference.objects.get(user=julie, community=None).frequency == "off"
    mail_client.close()
