"""Vendor the self-hosted font and the icon sprite from the npm registry.

    python scripts/vendor_assets.py            # font + sprite (needs npm)
    python scripts/vendor_assets.py --sprite   # rebuild the sprite from the cached package

The font: Inter as a variable font (@fontsource-variable/inter), latin and latin-ext woff2
only, with its licence, in portal/static/portal/fonts/. The icons: Lucide (lucide-static),
one ``<symbol>`` per icon the templates use (``{% icon "name" %}``, an empty state's
``icon="name"``) plus BASE_ICONS, the set the helpers may draw with a variable name, in
portal/static/portal/icons/sprite.svg with Lucide's licence beside it. Nothing is fetched
at run time: pages never ask a third party for a font or an icon.

Run it again after adding an icon to a template; tests/portal/test_icons.py fails until then.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "portal" / "static" / "portal"
FONT_DIR = STATIC / "fonts"
ICON_DIR = STATIC / "icons"
CACHE = ROOT / "var" / "npm-cache"

FONT_PACKAGE = "@fontsource-variable/inter@5.3.0"
ICON_PACKAGE = "lucide-static@1.87.0"
FONT_FILES = ["inter-latin-wght-normal.woff2", "inter-latin-ext-wght-normal.woff2"]

# Icons the helpers and components may draw from a variable ({% icon icon %}), which a scan
# of the templates cannot see. Lucide names; older names (alert-triangle) are Lucide aliases.
BASE_ICONS = sorted(
    {
        # the foundation's list (docs/design-system.md)
        "calendar", "file-text", "users", "message-square", "bell", "search", "upload", "plus",
        "pencil", "trash-2", "check", "x", "chevron-down", "log-out", "settings", "sun", "moon",
        "image", "paperclip", "clock", "map-pin", "shield",
        # the identity helper's additions
        "menu", "home", "book-open", "file", "folder", "download", "share-2", "star", "heart",
        "thumbs-up", "link", "external-link", "mail", "user", "user-plus", "globe", "filter",
        "more-horizontal", "info", "alert-triangle", "check-circle", "x-circle", "arrow-left",
        "arrow-right", "repeat", "lock", "eye", "eye-off", "palette", "sliders-horizontal",
        "inbox", "hash", "pin", "smile", "send", "chevron-up", "chevron-left", "chevron-right",
        "languages", "monitor", "log-in", "contact", "user-round", "circle-help",
    }
)  # fmt: skip

# {% icon "name" ... %} (our tag takes the name first; Wagtail's admin tag is name="...")
ICON_TAG = re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']""")
# {% include "components/empty_state.html" with ... icon="name" %}
COMPONENT_ICON = re.compile(
    r"""\{%\s*include\s+["']components/[^"']+["'][^%]*?\bicon=["']([a-z0-9-]+)["']"""
)


def icons_used(template_dir: Path = ROOT / "templates") -> set[str]:
    """The icon names the templates name literally."""
    names: set[str] = set()
    for path in template_dir.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "wagtailadmin_tags" in text and "portal_ui" not in text:
            continue  # Wagtail's own {% icon %}, drawn from the admin's sprite
        names.update(ICON_TAG.findall(text))
        names.update(COMPONENT_ICON.findall(text))
    return names


def npm_pack(spec: str) -> Path:
    """The unpacked package (``package/`` folder) of ``spec``, kept in var/npm-cache."""
    target = CACHE / spec.replace("/", "__").replace("@", "_")
    if (target / "package").is_dir():
        return target / "package"
    if shutil.which("npm") is None:
        sys.exit("npm is needed to fetch " + spec)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(  # noqa: S603 (a pinned package name of ours)
            ["npm", "pack", "--silent", spec],  # noqa: S607 (npm from the PATH, like make)
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(Path(tmp) / out) as archive:
            archive.extractall(target, filter="data")
    return target / "package"


def vendor_font() -> None:
    package = npm_pack(FONT_PACKAGE)
    FONT_DIR.mkdir(parents=True, exist_ok=True)
    for name in FONT_FILES:
        shutil.copyfile(package / "files" / name, FONT_DIR / name)
    shutil.copyfile(package / "LICENSE", FONT_DIR / "LICENSE-inter.txt")


# Lucide's stroke attributes on every symbol: a <use> clones the symbol, not the sprite's root,
# so they must be on the symbol itself (components/icon.css sets the same from the page).
STROKE = (
    'fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"'
)
SVG_ATTRS = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)


def build_sprite(names: set[str]) -> str:
    package = npm_pack(ICON_PACKAGE)
    symbols = []
    missing = []
    for name in sorted(names):
        source = package / "icons" / f"{name}.svg"
        if not source.exists():
            missing.append(name)
            continue
        match = SVG_ATTRS.search(source.read_text(encoding="utf-8"))
        assert match, source
        body = " ".join(line.strip() for line in match.group(1).strip().splitlines())
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24" {STROKE}>{body}</symbol>')
    if missing:
        sys.exit("not in Lucide: " + ", ".join(missing))
    return (
        f"<!-- Lucide icons ({ICON_PACKAGE}), ISC licence: LICENSE-lucide.txt. "
        "Built by scripts/vendor_assets.py: do not edit. -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n"
    )


def vendor_icons() -> None:
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    (ICON_DIR / "sprite.svg").write_text(
        build_sprite(icons_used() | set(BASE_ICONS)), encoding="utf-8"
    )
    shutil.copyfile(npm_pack(ICON_PACKAGE) / "LICENSE", ICON_DIR / "LICENSE-lucide.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sprite", action="store_true", help="rebuild the icon sprite only")
    args = parser.parse_args()
    if not args.sprite:
        vendor_font()
    vendor_icons()


if __name__ == "__main__":
    main()
