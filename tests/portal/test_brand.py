"""The brand: the PNGs and favicon.ico are what scripts/brand_assets.py makes from the SVG
sources (so a changed source without regenerated files fails), each at its size; every page
and the Wagtail admin carry the mark, the favicon and the title."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
BRAND = ROOT / "portal/static/portal/brand"


def brand_script():
    spec = importlib.util.spec_from_file_location("brand_assets", ROOT / "scripts/brand_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SIZES = {
    "favicon-16.png": 16,
    "favicon-32.png": 32,
    "apple-touch-icon.png": 180,
    "apple-touch-icon-120.png": 120,
    "apple-touch-icon-152.png": 152,
    "apple-touch-icon-167.png": 167,
    "badge-96.png": 96,
    **{f"icon-{size}.png": size for size in (48, 72, 96, 128, 144, 192, 256, 384, 512, 1024)},
    **{f"maskable-{size}.png": size for size in (48, 72, 96, 128, 144, 192, 384, 512)},
}


@pytest.mark.parametrize(("name", "size"), SIZES.items())
def test_each_png_has_its_size(name, size):
    with Image.open(BRAND / name) as image:
        assert (image.format, image.size) == ("PNG", (size, size))


def test_the_script_makes_every_png():
    assert set(brand_script().PNGS) == set(SIZES)


def test_the_badge_is_one_colour_on_a_transparent_ground():
    """Android paints a notification's badge from its alpha channel alone."""
    with Image.open(BRAND / "badge-96.png") as image:
        pixels = image.convert("RGBA")
        colours = {
            pixels.getpixel((x, y))[:3]
            for x in range(96)
            for y in range(96)
            if pixels.getpixel((x, y))[3] == 255
        }
        assert colours == {(255, 255, 255)}
        assert pixels.getpixel((1, 1))[3] == 0


def test_the_committed_files_are_what_the_sources_make():
    script = brand_script()
    for name, (source, size) in script.PNGS.items():
        assert (BRAND / name).read_bytes() == script.render(source, size), (
            f"{name} is stale: run scripts/brand_assets.py"
        )
    assert (BRAND / "wordmark.svg").read_text() == script.wordmark()
    favicon = ROOT / "portal/static/portal/favicon.svg"
    assert favicon.read_bytes() == (BRAND / "mark.svg").read_bytes()


def test_a_maskable_icon_keeps_its_figure_in_the_safe_zone():
    """Masks keep the centre circle of radius 40%: outside it, only the background colour."""
    with Image.open(BRAND / "maskable-512.png") as image:
        pixels = image.convert("RGB")
        background = pixels.getpixel((2, 2))
        for x in range(0, 512, 4):
            for y in range(0, 512, 4):
                if (x - 256) ** 2 + (y - 256) ** 2 > (0.4 * 512) ** 2:
                    assert pixels.getpixel((x, y)) == background, (x, y)


@pytest.mark.django_db
def test_favicon_ico_is_served_at_the_root_with_three_sizes(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    with Image.open(io.BytesIO(body)) as icon:
        assert icon.format == "ICO"
        assert icon.info["sizes"] == {(16, 16), (32, 32), (48, 48)}


@pytest.mark.django_db
def test_every_page_links_the_icons_and_shows_the_mark(client):
    page = client.get(reverse("account_login")).text
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'rel="apple-touch-icon" href="/static/portal/brand/apple-touch-icon.png"' in page
    assert 'src="/static/portal/brand/mark.svg"' in page  # header, card and footer
    assert '<span class="brand-name">Parvis</span>' in page


@pytest.mark.django_db
def test_the_admin_sign_in_is_the_branded_card(client):
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert '<img class="entrance-mark" src="/static/portal/brand/mark.svg"' in response.text


@pytest.mark.django_db
def test_the_admin_carries_the_logo_favicon_title_and_colours(admin_client):
    home = admin_client.get(reverse("wagtailadmin_home")).text
    assert "<template data-wagtail-sidebar-branding-logo>" in home
    sidebar_logo = home.split("<template data-wagtail-sidebar-branding-logo>")[1]
    sidebar_logo = sidebar_logo.split("</template>")[0]
    assert 'src="/static/portal/brand/mark.svg"' in sidebar_logo and "Parvis" in sidebar_logo
    assert " - Parvis</title>" in home
    assert '<link rel="icon" href="/favicon.ico"' in home
    assert "wagtailadmin/images/favicon.ico" not in home
    assert '<link rel="stylesheet" href="/static/portal/css/wagtail-admin.css">' in home
    css = (ROOT / "portal/static/portal/css/wagtail-admin.css").read_text()
    assert "--w-color-primary-hue" in css and "--w-color-secondary-hue" in css
