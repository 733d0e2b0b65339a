"""Your data: a person opens their account settings and downloads their data as a zip."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_person_downloads_their_data(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.locator("header .user-menu summary").click()
    page.locator("header .user-menu").get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    # Camille leads Lakeside Trails: erasure explains why not, instead of offering a button
    expect(page.get_by_role("alert")).to_contain_text("Lakeside Trails")
    shot(page, "privacy-1-your-data")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (zip)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        assert archive.testzip() is None
        profile = json.loads(archive.read("profile.json"))
        assert profile["email"] == "camille.martin@parvis.example"
        assert json.loads(archive.read("posts.json")), "Camille's posts are in the export"
        assert "memberships.json" in archive.namelist()
