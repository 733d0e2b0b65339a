"""Screenshot tests (issue 17): the key pages at 1280 and 375 px, light and dark, compared
with the references in tests/e2e/references/ (tests/e2e/snapshots.py). After an intended
change of the look, `make screenshots` takes them again: review the images, commit them."""

from __future__ import annotations

import pytest

from tests.e2e.pages import (
    FROZEN_NOW,
    SCHEMES,
    SCREENS,
    WIDTHS,
    context_args,
    open_screen,
    session_cookie,
)
from tests.e2e.snapshots import check

# The mark makes pytest-django create (and serialize) the test database even when this module
# runs alone; its per-test part (a flush after each test) is replaced by nothing below:
# `frozen_demo` (tests/e2e/conftest.py) opens the database once for the module.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def _django_db_helper():
    """pytest-django's per-test database fixture, overridden for this module's tests."""


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.name)
def test_the_page_looks_like_its_reference(screen, frozen_demo, browser):
    base = frozen_demo
    context = browser.new_context(**context_args())
    if screen.who:
        context.add_cookies([session_cookie(screen.who, base)])
    page = context.new_page()
    page.clock.set_fixed_time(FROZEN_NOW)
    failures = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": screen.height})
            open_screen(page, screen, base)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                png = page.screenshot(
                    full_page=True,
                    animations="disabled",
                    caret="hide",
                    mask=[page.locator(selector) for selector in screen.mask],
                )
                failure = check(f"{screen.name}-{width}-{scheme}", png)
                if failure:
                    failures.append(failure)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
