"""Choosing how one is told (issue 19): on a phone, Camille picks push for direct messages
and e-mail for review requests by keyboard, sets quiet hours with the phone's own time
fields, saves, and finds her choices again; the table is one card per kind at 375 px and a
table at 1280 px, with no serious accessibility violation at either width."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import AXE, BLOCKING, RUN_AXE, readable

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CAMILLE = "camille.martin@parvis.example"


def test_choosing_a_channel_per_kind_and_quiet_hours_on_a_phone(page, live_server, demo_site, shot):
    from communities.notifications import choices_of
    from portal.accounts.models import User

    page.add_init_script(path=AXE)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server.url, CAMILLE, demo_site.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/notifications/settings/")
    expect(page.get_by_role("heading", name="How you are told")).to_be_visible()

    message_row = page.locator("tr", has_text="A direct message")
    # On a phone each choice shows its own name beside the radio, on a 44 px row.
    push = message_row.get_by_label("Push notification")
    expect(message_row.get_by_text("Push notification")).to_be_visible()
    box = message_row.locator("label", has_text="Push notification").bounding_box()
    assert box["height"] >= 44
    # The keyboard moves within one kind's choices (a radio group per kind).
    message_row.get_by_label("Default").focus()
    page.keyboard.press("ArrowDown")
    expect(push).to_be_focused()
    expect(push).to_be_checked()
    page.locator("tr", has_text="A review request").get_by_label("E-mail at once").check()
    page.get_by_label("From").fill("22:30")
    page.get_by_label("Until").fill("07:00")
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"the settings page scrolls sideways ({width} px)"
    violations = [rule for rule in page.evaluate(RUN_AXE) if rule["impact"] in BLOCKING]
    assert not violations, "\n".join(readable("settings 375", violations))
    shot(page, "notification-settings-1-phone")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    camille = User.objects.get(email=CAMILLE)
    assert choices_of(camille) == {"message": "push", "review.request": "email"}
    assert camille.quiet_hours_start.strftime("%H:%M") == "22:30"
    expect(message_row.get_by_label("Push notification")).to_be_checked()
    expect(page.get_by_label("From")).to_have_value("22:30")

    # Half of the quiet hours is refused and points at the missing time.
    page.get_by_label("Until").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Give both times")
    expect(page.get_by_label("Until")).to_be_focused()

    # On a wide screen: a table whose column heads name the channels.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/notifications/settings/")
    expect(page.get_by_role("columnheader", name="Push notification")).to_be_visible()
    # The radio's own name is there for screen readers only (a 1 px clipped box).
    assert message_row.get_by_text("Push notification").bounding_box()["width"] <= 1
    violations = [rule for rule in page.evaluate(RUN_AXE) if rule["impact"] in BLOCKING]
    assert not violations, "\n".join(readable("settings 1280", violations))
    expect(
        page.get_by_role("link", name="Devices that receive push notifications")
    ).to_have_attribute("href", "/account/push/")
    shot(page, "notification-settings-2-wide")
