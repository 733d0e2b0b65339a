"""Item 14's journeys: a guest leaves a community, a lead removes a member, ends a guest's
access and archives the community. Each destructive button opens a page that says what it
ends; nothing happens before its own button; what the person left open is withdrawn."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JULIE = "julie.roux@funder-region.example"
CAMILLE = "camille.martin@parvis.example"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _review_for_julie():
    """A review waiting for Julie; Hugo, the other reviewer, already approved."""
    from communities.models import Community
    from documents import services
    from portal.accounts.models import User

    people = {u.email: u for u in User.objects.all()}
    hugo = people["hugo.bernard@parvis.example"]
    document = services.document_create(
        acting_user=people[CAMILLE],
        community=Community.objects.get(slug="lakeside-trails"),
        upload=SimpleUploadedFile("signage.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    review = services.review_request_create(
        acting_user=people[CAMILLE],
        document=document,
        reviewers=[people[JULIE], hugo],
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.review_decide(acting_user=hugo, request=review, approve=True)
    return review


def test_a_guest_leaves_after_a_confirmation(page, live_server, demo_site, media, shot):
    from events.models import RSVP

    review = _review_for_julie()
    assert RSVP.objects.filter(user__email=JULIE, occurrence_start__gte=timezone.now()).exists()
    base = live_server.url
    sign_in(page, base, JULIE, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/")
    main = page.locator("main")
    main.get_by_role("link", name="Leave").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leave Lakeside Trails?")
    expect(main).to_contain_text("The reviews you were asked for there are withdrawn")
    expect(main).to_contain_text("Your sponsor is told. Only a lead can invite you back.")
    shot(page, "leaving-1-guest-confirms")
    main.get_by_role("link", name="Cancel").click()  # changes nothing
    expect(page.get_by_role("heading", level=1)).to_have_text("Lakeside Trails")
    main.get_by_role("link", name="Leave").click()
    main.get_by_role("button", name="Leave Lakeside Trails").click()
    expect(page.get_by_role("status")).to_contain_text("You left Lakeside Trails.")

    page.goto(f"{base}/")
    expect(main).to_contain_text("A community lead can invite you.")
    expect(main.get_by_role("link", name="Find one")).to_have_count(0)
    shot(page, "leaving-2-guest-home")

    review.refresh_from_db()
    assert review.status == "approved"  # Hugo's approval completes it now
    assert not RSVP.objects.filter(user__email=JULIE, occurrence_start__gte=timezone.now()).exists()
    told = [m.subject for m in mail.outbox if m.to == [CAMILLE] and "Julie Roux" in m.subject]
    assert told == ["Julie Roux left Lakeside Trails"]  # her sponsor


def test_a_lead_removes_ends_and_archives_after_confirmations(page, live_server, demo_site, shot):
    from communities.models import Community, Membership
    from portal.accounts.models import User

    base = live_server.url
    sign_in(page, base, CAMILLE, demo_site.DEMO_PASSWORD)
    main = page.locator("main")

    page.goto(f"{base}/communities/lakeside-trails/members/")
    main.locator(".member-list li", has_text="Hugo Bernard").get_by_role(
        "link", name="Remove"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Hugo Bernard from Lakeside Trails?"
    )
    expect(main).to_contain_text("They lose access to its posts, documents and calendar at once.")
    shot(page, "leaving-3-lead-removes")
    main.get_by_role("button", name="Remove Hugo Bernard").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Hugo Bernard was removed from Lakeside Trails."
    )
    expect(main.locator(".member-list")).not_to_contain_text("Hugo Bernard")

    marc = User.objects.get(email="marc.blanc@signs-supplier.example")
    page.goto(f"{base}/guests/{marc.pk}/")
    main.get_by_role("link", name="End access now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "End the access of Marc Blanc to Lakeside Trails now?"
    )
    expect(main).to_contain_text("their account closes until someone invites them again")
    shot(page, "leaving-4-lead-ends-access")
    main.get_by_role("button", name="End access now").click()
    expect(page.get_by_role("status")).to_contain_text("Access ended.")
    assert Membership.objects.get(user=marc).status == "ended"

    page.goto(f"{base}/communities/lakeside-trails/")
    main.get_by_role("link", name="Archive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive Lakeside Trails?")
    expect(main).to_contain_text("A lead can restore it later.")
    shot(page, "leaving-5-lead-archives")
    assert Community.objects.get(slug="lakeside-trails").archived_at is None
    main.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_contain_text("The community is archived")
    assert Community.objects.get(slug="lakeside-trails").archived_at is not None
