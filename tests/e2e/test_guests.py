"""Journey 2 (its guest part): a lead invites a partner, who accepts as a new person and
sees only the invited community."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_invite_a_guest_who_accepts_and_sees_only_that_community(
    page, browser, live_server, demo_site, shot
):
    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/members/")
    page.get_by_role("link", name="Invite a partner as guest").click()
    page.get_by_label("E-mail address").fill("olga.petrov@signage.example")
    page.get_by_label("Name").fill("Olga Petrov")
    page.get_by_label("Organisation").fill("Signage Co")
    expect(page.get_by_label("Lakeside Trails")).to_be_checked()
    page.get_by_label("Personal message").fill("Your review of the signage plan is welcome.")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitation sent to olga.petrov@signage.example"
    )
    expect(page.locator("table")).to_contain_text("Olga Petrov")
    shot(page, "guests-1-invitations")

    message = next(m for m in mail.outbox if m.to == ["olga.petrov@signage.example"])
    link = re.search(r"(/invite/\S+/)", message.body).group(1)

    olga = browser.new_page()
    olga.goto(f"{base}{link}")
    expect(olga.get_by_label("Email")).to_have_value("olga.petrov@signage.example")
    expect(olga.get_by_label("Email")).to_have_attribute("readonly", "")
    olga.locator("#id_password1").fill("Lake-side-2026!")
    olga.locator("#id_password2").fill("Lake-side-2026!")
    olga.locator("main").get_by_role("button", name="Sign Up").click()
    expect(olga.get_by_role("heading", level=1)).to_have_text("Lakeside Trails")
    shot(olga, "guests-2-first-page")

    olga.goto(f"{base}/communities/")
    expect(olga.locator(".community-card")).to_have_count(1)
    olga.goto(f"{base}/people/")
    expect(olga.locator("#people-list")).not_to_contain_text("Louis Garnier")
    response = olga.goto(f"{base}/communities/sales/")
    assert response.status == 404
    olga.goto(f"{base}/my-access/")
    expect(olga.locator("table")).to_contain_text("Lakeside Trails")
    expect(olga.locator("table")).to_contain_text("Camille Martin")  # her sponsor
    olga.close()

    # The link worked once.
    again = browser.new_page()
    response = again.goto(f"{base}{link}")
    assert response.status == 410
    expect(again.get_by_role("heading", level=1)).to_have_text("This invitation was already used")
    again.close()
