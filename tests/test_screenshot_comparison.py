"""The screenshot tests' comparison (tests/e2e/snapshots.py), on images made here: what
passes, what fails, and the files a failure leaves to look at. No browser, no database."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from tests.e2e import snapshots


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def page(size=(200, 120), text_box=None) -> Image.Image:
    image = Image.new("RGB", size, (245, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 190, 40), fill=(11, 92, 173))
    if text_box:
        draw.rectangle(text_box, fill=(20, 20, 20))
    return image


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "REFERENCES", tmp_path / "references")
    monkeypatch.setattr(snapshots, "FAILURES", tmp_path / "failures")
    monkeypatch.delenv("UPDATE_SCREENSHOTS", raising=False)
    return tmp_path


def record(name: str, image: Image.Image, monkeypatch) -> None:
    monkeypatch.setenv("UPDATE_SCREENSHOTS", "1")
    assert snapshots.check(name, png(image)) is None
    monkeypatch.delenv("UPDATE_SCREENSHOTS")


def test_updating_writes_the_reference_and_the_same_page_then_matches(folders, monkeypatch):
    record("home-1280-light", page(), monkeypatch)
    assert (folders / "references" / "home-1280-light.png").exists()
    assert snapshots.check("home-1280-light", png(page())) is None
    assert not (folders / "failures" / "home-1280-light").exists()


def test_a_missing_reference_fails_and_keeps_the_actual_image(folders):
    failure = snapshots.check("members-375-dark", png(page()))
    assert "no reference" in failure and "make screenshots" in failure
    assert (folders / "failures" / "members-375-dark" / "actual.png").exists()


def test_a_few_faint_pixels_pass_a_changed_block_fails_with_three_images(folders, monkeypatch):
    record("feed-1280-light", page(), monkeypatch)
    faint = page()
    for x in range(20):  # 20 pixels, each off by 40: under MAX_DIFF_PIXELS
        faint.putpixel((100 + x, 100), (205, 206, 208))
    assert snapshots.check("feed-1280-light", png(faint)) is None
    nudged = page()
    nudged.putpixel((5, 5), (240, 241, 243))  # under the threshold: not a differing pixel
    assert snapshots.check("feed-1280-light", png(nudged)) is None

    failure = snapshots.check("feed-1280-light", png(page(text_box=(20, 60, 60, 80))))
    assert "861 pixels differ" in failure  # the box: 41 by 21 pixels
    out = folders / "failures" / "feed-1280-light"
    for name in ("actual.png", "expected.png", "diff.png"):
        assert str(out / name) in failure
    diff = Image.open(out / "diff.png").convert("RGB")
    assert diff.getpixel((30, 70)) == (230, 0, 0)  # the change, in red
    assert diff.getpixel((150, 100)) != (230, 0, 0)  # the rest, washed out


def test_another_size_fails(folders, monkeypatch):
    record("form-375-light", page(), monkeypatch)
    failure = snapshots.check("form-375-light", png(page(size=(200, 140))))
    assert "size 200×140, reference 200×120" in failure


def test_long_pages_are_cut(folders, monkeypatch):
    monkeypatch.setattr(snapshots, "MAX_HEIGHT", 100)
    record("long-375-light", page(size=(200, 300)), monkeypatch)
    assert Image.open(folders / "references" / "long-375-light.png").size == (200, 100)
