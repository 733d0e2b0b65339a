"""Forms that guide (issue 17): the event form shows what applies (repeat fields when it
repeats, the end date when it ends another day, the rare options folded), the first bad field
takes the focus, a file field is a drop zone that lists the chosen files, the invitation form
previews its e-mail; and without JavaScript every field is there."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from guests.models import Invitation
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LEAD = "camille.martin@parvis.example"


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_the_event_form_shows_what_applies_and_focuses_the_first_bad_field(
    page, live_server, demo_site, shot
):
    base = live_server.url
    sign_in(page, base, LEAD, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/calendar/new/")

    # Repeat fields only when it repeats.
    every = page.get_by_label("Every")
    expect(every).to_be_hidden()
    page.get_by_label("Repeats").select_option("weekly")
    expect(every).to_be_visible()
    expect(page.get_by_label("Number of occurrences")).to_be_visible()
    page.get_by_label("Repeats").select_option("")
    expect(every).to_be_hidden()

    # The end date only when it ends on another day; the times go with "All day".
    end_date = page.get_by_label("End date")
    expect(end_date).to_be_hidden()
    page.get_by_label("Ends on another day").check()
    expect(end_date).to_be_visible()
    page.get_by_label("All day").check()
    expect(page.get_by_label("Start time")).to_be_hidden()
    page.get_by_label("All day").uncheck()
    expect(page.get_by_label("Start time")).to_be_visible()

    # The rare options are folded.
    zone = page.get_by_label("Time zone")
    expect(zone).to_be_hidden()
    page.get_by_text("More options").click()
    expect(zone).to_be_visible()
    shot(page, "forms-0-event-form")

    # Sent with no title: the summary lists it, and the title has the focus.
    page.get_by_role("button", name="Add the event").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Title: This field is required.")
    assert focused_id(page) == "id_title"
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Start date").focus()
    summary.get_by_role("link", name="Title: This field is required.").click()
    assert focused_id(page) == "id_title"
    shot(page, "forms-1-event-errors")

    # A two-day event: the end date sent and kept.
    start = timezone.localdate() + datetime.timedelta(days=3)
    page.get_by_label("Title").fill("Two-day workshop")
    page.get_by_label("Start date").fill(start.isoformat())
    expect(page.get_by_label("Ends on another day")).to_be_checked()  # kept after the errors
    page.get_by_label("End date").fill((start + datetime.timedelta(days=1)).isoformat())
    page.get_by_label("End time").fill("17:00")
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-day workshop")
    when = page.locator("dl.details dd").first
    expect(when).to_contain_text(f"{start.day} ")
    expect(when).to_contain_text(f"{(start + datetime.timedelta(days=1)).day} ")

    # Editing it: the end date is there, since it ends on another day.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Ends on another day")).to_be_checked()
    expect(page.get_by_label("End date")).to_be_visible()


def test_a_file_field_is_a_drop_zone_that_lists_the_chosen_file(
    page, live_server, demo_site, shot, tmp_path
):
    base = live_server.url
    sign_in(page, base, LEAD, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/calendar/import/")
    expect(page.locator(".file-picker-zone")).to_contain_text("Choose a file or drop it here")
    # The real input, under the zone, takes the keyboard.
    file_input = page.get_by_label("iCalendar file (.ics)")
    file_input.focus()
    assert focused_id(page) == "id_file"
    ics = tmp_path / "agenda.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + b"X" * 2000 + b"\r\nEND:VCALENDAR\r\n")
    file_input.set_input_files(str(ics))
    chosen = page.get_by_role("list", name="Chosen files")
    expect(chosen).to_be_visible()
    expect(chosen.get_by_role("listitem")).to_have_count(1)
    expect(chosen).to_contain_text("agenda.ics")
    expect(chosen).to_contain_text("2 KB")
    shot(page, "forms-2-file-picker")

    # A hand-written form (no summary): its bad field takes the focus too.
    page.goto(f"{base}/invitations/bulk/")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#file-error")).to_contain_text("Choose a CSV file.")
    assert focused_id(page) == "id_file"
    expect(page.get_by_label("CSV file")).to_have_attribute("aria-invalid", "true")


def test_without_javascript_every_field_shows(browser, live_server, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, LEAD, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/calendar/new/")
    for label in ("Every", "Until", "Number of occurrences", "End date", "Start time"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_label("Ends on another day")).to_be_hidden()  # a toggle for scripts only
    page.goto(f"{base}/communities/lakeside-trails/calendar/import/")
    expect(page.get_by_label("iCalendar file (.ics)")).to_be_visible()
    expect(page.locator(".file-picker-zone")).to_be_hidden()
    context.close()


def test_the_invitation_form_previews_the_email_then_sends_it(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, LEAD, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/invitations/new/?community=lakeside-trails")
    page.get_by_label("E-mail address").fill("olga.petrov@signage.example")
    page.get_by_label("Personal message").fill("Your review of the signage plan is welcome.")
    # The end of access concerns guests only.
    expect(page.get_by_label("Access ends on (guests)")).to_be_visible()
    page.get_by_label("Member (colleague)").check()
    expect(page.get_by_label("Access ends on (guests)")).to_be_hidden()
    page.get_by_label("Guest (external partner)").check()
    invitations, mails = Invitation.objects.count(), len(mail.outbox)
    page.get_by_role("button", name="Preview the e-mail").click()
    preview = page.get_by_role("region", name="Preview of the e-mail")
    expect(preview).to_contain_text("olga.petrov@signage.example")
    expect(preview).to_contain_text("Camille Martin invites you to join Lakeside Trails")
    expect(preview).to_contain_text("Your review of the signage plan is welcome.")
    expect(preview).to_be_focused()
    assert (Invitation.objects.count(), len(mail.outbox)) == (invitations, mails)  # none sent
    shot(page, "forms-3-invitation-preview")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Invitation sent to olga.petrov@signage.example"
    )
    assert Invitation.objects.count() == invitations + 1
