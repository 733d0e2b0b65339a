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
    # The landing page says who invites, where, and why (item 15).
    invitation = olga.locator(".invitation-context")
    expect(invitation).to_contain_text("Camille Martin invites you to:")
    expect(invitation).to_contain_text("Lakeside Trails")
    expect(invitation).to_contain_text("Your review of the signage plan is welcome.")
    shot(olga, "guests-1b-sign-up-with-invitation")
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


def test_bulk_csv_with_one_bad_row(page, live_server, demo_site, shot, tmp_path):
    csv_file = tmp_path / "wave-1.csv"
    csv_file.write_text(
        "email;name;organisation;role;communities\n"
        "anna.weber@funder.example;Anna Weber;Region;guest;Lakeside Trails\n"
        "not-an-address;Oops;;guest;Lakeside Trails\n"
        "ines.moreau@parvis.example;Inès Moreau;;member;Annecy office\n",
        encoding="utf-8",
    )
    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/invitations/")
    page.get_by_role("link", name="Invite from a CSV file").click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("2 lines can be sent")
    expect(page.locator("tr.row-error")).to_contain_text("is not an e-mail address")
    shot(page, "guests-3-bulk-preview")
    page.get_by_role("button", name="Send 2 invitations").click()
    expect(page.get_by_role("status")).to_contain_text("Done.")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_text("sent", exact=True)).to_have_count(2)
    assert {m.to[0] for m in mail.outbox} >= {
        "anna.weber@funder.example",
        "ines.moreau@parvis.example",
    }


def test_sponsor_extends_an_expiring_guest(page, live_server, demo_site, shot):
    import datetime

    from django.utils import timezone

    from communities.models import Membership
    from guests import services

    julie = Membership.objects.get(user__email="julie.roux@funder-region.example")
    Membership.objects.filter(pk=julie.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=5)
    )
    assert services.guests_remind() == 1
    reminder = next(m for m in mail.outbox if "ends on" in m.subject)
    assert reminder.to == ["camille.martin@parvis.example"]
    link = re.search(r"(/guests/\d+/)", reminder.body).group(1)

    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}{link}")
    new_end = timezone.localdate() + datetime.timedelta(days=120)
    page.get_by_label("New end date").fill(new_end.isoformat())
    page.get_by_role("button", name="Extend").click()
    expect(page.get_by_role("status")).to_contain_text("Access extended.")
    shot(page, "guests-4-extended")
    julie.refresh_from_db()
    assert timezone.localdate(julie.expires_at) == new_end
