"""Screenshots compared with committed references (Python Playwright has no
``to_have_screenshot``): Pillow only, every pixel operation in C, so a full page compares in
milliseconds.

A pixel differs when one of its channels moves by more than PIXEL_THRESHOLD; a screenshot
matches while at most MAX_DIFF_PIXELS pixels differ (the same Chromium, fonts and data give
the same pixels: the margin is for a stray anti-aliased edge, not for a changed word).
``UPDATE_SCREENSHOTS=1`` (what `make screenshots` sets) writes the references instead of
comparing. On a mismatch, actual, expected and diff images go to var/visual/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = Path(__file__).parent / "references"
FAILURES = ROOT / "var" / "visual"
PIXEL_THRESHOLD = 24  # of 255, per channel
MAX_DIFF_PIXELS = 64
# Phone pages can be very long; a reference keeps the top of the page (what a person sees
# first, and what a layout change moves) to keep the committed images small.
MAX_HEIGHT = 3000


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def updating() -> bool:
    return os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0")


def clipped(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    return image


def save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)


def differing_pixels(actual: Image.Image, expected: Image.Image) -> Image.Image:
    """A 1-bit image: white where the two differ by more than the threshold."""
    red, green, blue = ImageChops.difference(actual, expected).split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return strongest.point(lambda value: 255 if value > PIXEL_THRESHOLD else 0).convert("1")


def diff_image(expected: Image.Image, mask: Image.Image) -> Image.Image:
    """The expected page washed out, with the differing pixels in red."""
    faded = Image.blend(
        expected.convert("L").convert("RGB"), Image.new("RGB", expected.size, "white"), 0.7
    )
    return Image.composite(Image.new("RGB", expected.size, (230, 0, 0)), faded, mask)


def check(name: str, png: bytes) -> str | None:
    """Compare (or, when updating, record) one screenshot; the failure's text, or None."""
    actual = clipped(png)
    reference = REFERENCES / f"{name}.png"
    if updating():
        save(actual, reference)
        return None
    out = FAILURES / name
    if not reference.exists():
        save(actual, out / "actual.png")
        return (
            f"{name}: no reference {shown(reference)} (`make screenshots` makes "
            f"it); actual: {out / 'actual.png'}"
        )
    expected = Image.open(reference).convert("RGB")
    if expected.size != actual.size:
        save(actual, out / "actual.png")
        save(expected, out / "expected.png")
        return (
            f"{name}: size {actual.size[0]}×{actual.size[1]}, reference "
            f"{expected.size[0]}×{expected.size[1]}; actual: {out / 'actual.png'}, expected: "
            f"{out / 'expected.png'}"
        )
    mask = differing_pixels(actual, expected)
    count = mask.histogram()[255]
    if count <= MAX_DIFF_PIXELS:
        for stale in ("actual.png", "expected.png", "diff.png"):
            (out / stale).unlink(missing_ok=True)
        return None
    save(actual, out / "actual.png")
    save(expected, out / "expected.png")
    save(diff_image(expected, mask), out / "diff.png")
    return (
        f"{name}: {count} pixels differ (at most {MAX_DIFF_PIXELS}); actual: {out / 'actual.png'}, "
        f"expected: {out / 'expected.png'}, diff: {out / 'diff.png'}"
    )
