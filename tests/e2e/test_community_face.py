"""A lead gives her community a face: a cover and a colour, seen on its header, on the
community list and on the home dashboard; a file that is not an image is refused."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 300), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _loaded_width(image) -> int:
    """The picture's width once the browser has it (cards load their covers lazily)."""
    image.scroll_into_view_if_needed()
    return image.evaluate("img => img.decode().then(() => img.naturalWidth)")


def test_a_lead_sets_a_cover_and_a_colour(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/annecy-office/")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit community")
    expect(page.get_by_label("Remove the cover")).to_be_visible()  # the demo drew one

    # A page posing as a picture is refused, and nothing changes.
    page.get_by_label("Cover image").set_input_files(
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": b"<html>no</html>"}]
    )
    page.get_by_label("Pink", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Upload a valid image")
    shot(page, "face-1-refused")

    page.get_by_label("Cover image").set_input_files(
        files=[{"name": "lake.png", "mimeType": "image/png", "buffer": _png((200, 80, 120))}]
    )
    page.get_by_label("Pink", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    header = page.locator("header.community-head")
    expect(header).to_have_class("community-head accent-pink")
    banner = header.locator(".community-banner img")
    expect(banner).to_be_visible()
    assert _loaded_width(banner) == 900
    shot(page, "face-2-header")

    page.goto(f"{base}/communities/")
    card = page.locator(".community-tile", has_text="Annecy office")
    expect(card).to_have_class("community-tile community-card accent-pink")
    assert _loaded_width(card.locator("img")) == 900
    page.goto(f"{base}/")
    expect(
        page.get_by_role("region", name="My communities").locator(".accent-pink")
    ).to_contain_text("Annecy office")
    shot(page, "face-3-home")

    # Removing the cover leaves the colour band with the initial.
    page.goto(f"{base}/communities/annecy-office/edit/")
    page.get_by_label("Remove the cover").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".community-banner img")).to_have_count(0)
