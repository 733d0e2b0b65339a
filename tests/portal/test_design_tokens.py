"""The palette meets WCAG AA in both modes: every text colour on every background the
components put it on (4.5:1), and the borders of controls and the focus ring (3:1, WCAG 1.4.11).

The pairs are read from tokens.css itself (each colour a ``light-dark(light, dark)`` pair), so a
token tuned to a weaker colour fails here before it reaches a page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TOKENS = Path(__file__).resolve().parents[2] / "portal/static/portal/css/tokens.css"

TEXT = 4.5
NON_TEXT = 3.0

# (foreground, background, minimum): what the components draw on what.
PAIRS = [
    *[
        ("text", bg, TEXT)
        for bg in (
            "bg", "surface", "surface-sunken", "surface-raised", "primary-soft",
            "success-soft", "warning-soft", "danger-soft", "like-soft",
        )
    ],
    *[
        ("text-muted", bg, TEXT)
        for bg in ("bg", "surface", "surface-sunken", "surface-raised", "primary-soft")
    ],
    *[
        ("primary", bg, TEXT)
        for bg in ("bg", "surface", "surface-sunken", "surface-raised", "primary-soft")
    ],
    ("primary-strong", "surface", TEXT),
    ("primary-strong", "primary-soft", TEXT),
    ("on-primary", "primary", TEXT),
    ("on-primary", "primary-strong", TEXT),
    ("success", "surface", TEXT),
    ("success", "success-soft", TEXT),
    ("warning", "surface", TEXT),
    ("warning", "warning-soft", TEXT),
    ("danger", "surface", TEXT),
    ("danger", "danger-soft", TEXT),
    ("danger-strong", "surface", TEXT),
    ("on-danger", "danger", TEXT),
    ("on-danger", "danger-strong", TEXT),
    ("like", "surface", TEXT),
    ("like", "like-soft", TEXT),
    ("on-hero", "hero-start", TEXT),
    ("on-hero", "hero-end", TEXT),
    ("border-strong", "surface", NON_TEXT),
    ("border-strong", "bg", NON_TEXT),
    ("border-strong", "surface-sunken", NON_TEXT),
    ("focus", "surface", NON_TEXT),
    ("focus", "bg", NON_TEXT),
    ("focus", "surface-sunken", NON_TEXT),
    ("primary", "surface", NON_TEXT),  # a primary button's edge on a card
]  # fmt: skip

COLOUR = re.compile(r"--color-([a-z-]+):\s*([^;]+);")
HEX = r"#[0-9a-fA-F]{6}"


def palette() -> dict[str, tuple[str, str]]:
    """{token: (light, dark)} from tokens.css; a single value serves both modes."""
    colours = {}
    for name, value in COLOUR.findall(TOKENS.read_text(encoding="utf-8")):
        value = value.strip()
        pair = re.fullmatch(rf"light-dark\(\s*({HEX})\s*,\s*({HEX})\s*\)", value)
        if pair:
            colours[name] = (pair.group(1), pair.group(2))
        else:
            assert re.fullmatch(HEX, value), f"--color-{name}: {value}: not a pair nor #rrggbb"
            colours[name] = (value, value)
    return colours


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the famous near-miss
    assert contrast("#0b5cad", "#0b5cad") == 1


def test_every_pair_names_real_tokens():
    colours = palette()
    for foreground, background, _ in PAIRS:
        assert foreground in colours and background in colours, (foreground, background)


@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
@pytest.mark.parametrize(("foreground", "background", "minimum"), PAIRS)
def test_pair_meets_aa(foreground, background, minimum, mode):
    colours = palette()
    ratio = contrast(colours[foreground][mode], colours[background][mode])
    assert ratio >= minimum, (
        f"--color-{foreground} on --color-{background}: {ratio:.2f}:1 < {minimum}:1"
    )
