"""Documents (first part): a lead uploads into the library, adds a version; a guest of the
community reads and downloads it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_upload_a_document_add_a_version_and_a_guest_downloads_it(
    page, browser, live_server, demo_site, shot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    first = tmp_path / "signage-plan.pdf"
    first.write_bytes(PDF)
    second = tmp_path / "signage-plan-v2.pdf"
    second.write_bytes(PDF + b"% second\n")
    base = live_server.url

    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/")
    page.get_by_role("link", name="Documents", exact=True).last.click()
    page.get_by_label("Add documents").set_input_files(str(first))
    page.get_by_label("Title (for a single file)").fill("Signage plan")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("1 document added.")
    page.get_by_role("link", name="Signage plan").click()
    page.get_by_label("New version").set_input_files(str(second))
    page.get_by_label("What changed").fill("Bigger arrows")
    page.get_by_role("button", name="Add the version").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 added.")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("Bigger arrows")
    shot(page, "documents-1-history")

    julie = browser.new_page()
    sign_in(julie, base, "julie.roux@funder-region.example", demo_site.DEMO_PASSWORD)
    julie.goto(f"{base}/documents/")
    julie.get_by_role("link", name="Signage plan").click()
    expect(julie.get_by_label("New version")).to_have_count(0)  # guests read, leads upload
    with julie.expect_download() as download_info:
        julie.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "signage-plan-v2.pdf"
    assert Path(download.path()).read_bytes() == PDF + b"% second\n"
    julie.close()


def test_the_graphic_charter_goes_out_for_review(
    page, browser, live_server, demo_site, shot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    v3 = tmp_path / "graphic-charter-v3.pdf"
    v3.write_bytes(PDF + b"% v3\n")
    base = live_server.url

    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/documents/")
    page.get_by_role("link", name="Graphic charter").click()
    # The demo put the charter out for Julie's review (seed_demo, as the README tells).
    expect(page.locator("#review")).to_contain_text("In review")
    expect(page.locator("#review")).to_contain_text("Julie Roux")
    document_url = page.url

    julie = browser.new_page()
    sign_in(julie, base, "julie.roux@funder-region.example", demo_site.DEMO_PASSWORD)
    julie.goto(f"{base}/documents/reviews/")
    julie.get_by_role("region", name="Awaiting my review").get_by_role(
        "link", name="Graphic charter"
    ).click()
    julie.get_by_label("Your remarks").fill("The logo is too small on the signs.")
    julie.get_by_role("button", name="Request changes").click()
    expect(julie.locator("#review")).to_contain_text("Changes requested")
    shot(julie, "documents-2-changes-requested")

    page.goto(document_url)
    page.get_by_label("New version").set_input_files(str(v3))
    page.get_by_label("What changed").fill("Bigger logo")
    page.get_by_role("button", name="Add the version").click()
    expect(page.locator("#review")).to_contain_text("In review")

    julie.reload()
    julie.get_by_role("button", name="Approve").click()
    expect(julie.locator("#review")).to_contain_text("Approved")
    expect(julie.locator("tbody tr").first).to_contain_text("Locked")
    julie.close()

    page.goto(document_url)
    page.get_by_role("link", name="Approval trail").click()
    timeline = page.get_by_role("list", name="Approval trail")  # a timeline, oldest first
    expect(timeline.get_by_role("listitem")).to_have_count(5)
    expect(timeline.get_by_role("listitem").nth(1)).to_contain_text("requested changes")
    expect(timeline).to_contain_text("The logo is too small on the signs.")
    shot(page, "documents-3-trail")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export (CSV)").click()
    trail = Path(download_info.value.path()).read_text()
    assert "requested changes" in trail and "approved by every reviewer; version locked" in trail


def test_a_document_shared_with_one_outside_reviewer(
    page, browser, live_server, demo_site, shot, tmp_path, settings
):
    """Hélène is in no community: the charter alone is open to her, until the lead stops
    sharing it; sharing it again by address opens it again."""
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    helene_email = demo_site.OUTSIDE_REVIEWER

    helene = browser.new_page()
    sign_in(helene, base, helene_email, demo_site.DEMO_PASSWORD)
    helene.goto(f"{base}/my-access/")
    helene.get_by_role("link", name="Graphic charter").click()
    expect(helene.get_by_text("This document was shared with you.")).to_be_visible()
    charter_url = helene.url
    shot(helene, "documents-4-shared-reader")
    assert helene.goto(f"{base}/communities/lakeside-trails/documents/").status == 404

    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(charter_url)
    sharing = page.get_by_role("region", name="Shared outside the community")
    expect(sharing).to_contain_text("Hélène Fabre")
    sharing.get_by_role("button", name="Stop sharing").click()
    expect(page.get_by_role("status")).to_contain_text("can no longer read this document")
    assert helene.goto(charter_url).status == 404

    page.get_by_label("Share with one person (e-mail of an existing account)").fill(helene_email)
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Hélène Fabre can now read this document.")
    assert helene.goto(charter_url).status == 200
    helene.close()
