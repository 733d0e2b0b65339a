"""The icon sprite holds every icon the templates draw, and the self-hosted assets are there.

The sprite is built by scripts/vendor_assets.py from the npm package lucide-static: a template
that names an icon the sprite lacks would show an empty square, so this test fails until the
script is run again.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "portal/static/portal"


def vendor_script():
    path = ROOT / "scripts/vendor_assets.py"
    spec = importlib.util.spec_from_file_location("vendor_assets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sprite_ids() -> set[str]:
    return set(re.findall(r'<symbol id="([a-z0-9-]+)"', (STATIC / "icons/sprite.svg").read_text()))


def test_every_icon_a_template_names_is_in_the_sprite():
    used = vendor_script().icons_used(ROOT / "templates")
    assert "log-out" in used  # the header draws it: the scan sees the templates
    missing = used - sprite_ids()
    assert not missing, f"run scripts/vendor_assets.py --sprite; missing: {sorted(missing)}"


def test_the_base_set_is_in_the_sprite():
    assert set(vendor_script().BASE_ICONS) <= sprite_ids()


def test_the_scan_reads_our_tag_and_component_arguments_not_wagtails(tmp_path):
    (tmp_path / "a.html").write_text(
        '{% load portal_ui %}{% icon "calendar" %} {% icon \'x\' class="big" %}'
        '{% include "components/empty_state.html" with title=t icon="file-text" %}'
    )
    (tmp_path / "b.html").write_text(
        '{% load wagtailadmin_tags %}{% icon name="cogs" %}'
        '{% include "wagtailadmin/shared/header.html" with icon="user" %}'
    )
    assert vendor_script().icons_used(tmp_path) == {"calendar", "x", "file-text"}


def test_symbols_keep_lucides_stroke_attributes():
    sprite = (STATIC / "icons/sprite.svg").read_text()
    symbols = re.findall(r"<symbol [^>]*>", sprite)
    assert symbols
    for symbol in symbols:
        assert 'stroke="currentColor"' in symbol and 'fill="none"' in symbol, symbol


def test_vendored_licences_and_font_files():
    assert "ISC" in (STATIC / "icons/LICENSE-lucide.txt").read_text()
    assert "SIL OPEN FONT LICENSE" in (STATIC / "fonts/LICENSE-inter.txt").read_text().upper()
    base_css = (STATIC / "css/base.css").read_text()
    for name in re.findall(r'url\("\.\./fonts/([^"]+)"\)', base_css):
        assert (STATIC / "fonts" / name).stat().st_size > 10_000
    assert "Inter Variable" in (STATIC / "css/tokens.css").read_text().split("--font-sans")[1]


def test_no_stylesheet_or_template_asks_a_third_party_for_fonts_or_icons():
    pattern = re.compile(r"fonts\.googleapis|fonts\.gstatic|unpkg\.com|cdn\.jsdelivr|use\.typekit")
    for path in [*STATIC.rglob("*.css"), *(ROOT / "templates").rglob("*.html")]:
        assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_every_navigation_icon_is_in_the_sprite():
    from portal.navigation import SECTIONS

    icons = {section.icon for section in SECTIONS}
    assert "" not in icons  # every section has one
    assert icons <= sprite_ids()
