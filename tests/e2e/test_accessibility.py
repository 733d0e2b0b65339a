"""axe-core on the key pages (issue 17): light and dark, English and French, at 1280 and
375 px; no serious or critical violation. axe-core is vendored from the npm package
(tests/e2e/vendor/axe-core/, refreshed by scripts/update-axe-core) and injected by
Playwright before the page's own scripts (an init script, which the page's
Content-Security-Policy does not govern)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.pages import (
    FROZEN_NOW,
    LANGUAGES,
    SCHEMES,
    SCREENS,
    WIDTHS,
    context_args,
    open_screen,
    session_cookie,
)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# Every rule axe runs by default (WCAG 2.0-2.2 A and AA, and its best practices); the
# experimental ones stay off. Only the result types that can fail are gathered.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(" "),
      html: node.html,
      summary: node.failureSummary || "",
    })),
  }));
}"""

# As in test_visual.py: the mark has pytest-django create and serialize the test database;
# `frozen_demo` (tests/e2e/conftest.py) opens it once for the module.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def _django_db_helper():
    """pytest-django's per-test database fixture, overridden for this module's tests."""


def readable(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for rule in violations:
        lines.append(f"{where}: [{rule['impact']}] {rule['id']}: {rule['help']}")
        for node in rule["nodes"][:5]:
            html = " ".join(node["html"].split())
            lines.append(f"    {node['target']}    {html[:160]}")
        if len(rule["nodes"]) > 5:
            lines.append(f"    … and {len(rule['nodes']) - 5} more")
    return lines


# Violations known and routed to their owners: strict, so that the fix fails this mark and
# the line is removed with it.
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize(
    "screen",
    [
        pytest.param(
            screen,
            id=screen.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[screen.name])]
            if screen.name in KNOWN
            else [],
        )
        for screen in SCREENS
    ],
)
def test_the_page_has_no_serious_accessibility_violation(screen, frozen_demo, browser):
    base = frozen_demo
    found: list[str] = []
    for language in LANGUAGES:
        context = browser.new_context(**context_args(language=language))
        context.add_init_script(path=AXE)
        if screen.who:
            context.add_cookies([session_cookie(screen.who, base, language=language)])
        page = context.new_page()
        page.clock.set_fixed_time(FROZEN_NOW)
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": screen.height})
                open_screen(page, screen, base)
                assert page.locator("html").get_attribute("lang") == language
                for scheme in SCHEMES:
                    page.emulate_media(color_scheme=scheme)
                    violations = [
                        rule for rule in page.evaluate(RUN_AXE) if rule["impact"] in BLOCKING
                    ]
                    found += readable(f"{screen.name} {language} {width} {scheme}", violations)
        finally:
            context.close()
    assert not found, "serious or critical accessibility violations:\n" + "\n".join(found)


# The phone's own layouts (issue 19): the header's menu open (its sections, search box and
# counts over the page), the month as a list, the tables as cards, in both languages and
# both schemes, at 375 px.
PHONE_SCREENS = [
    screen
    for screen in SCREENS
    if screen.name in {"home-lead", "calendar-month", "members", "document-review"}
]


@pytest.mark.parametrize("screen", PHONE_SCREENS, ids=[screen.name for screen in PHONE_SCREENS])
def test_the_phone_layout_with_its_menu_open_has_no_serious_violation(screen, frozen_demo, browser):
    base = frozen_demo
    found: list[str] = []
    for language in LANGUAGES:
        context = browser.new_context(**context_args(language=language, width=375))
        context.add_init_script(path=AXE)
        context.add_cookies([session_cookie(screen.who, base, language=language)])
        page = context.new_page()
        page.clock.set_fixed_time(FROZEN_NOW)
        try:
            open_screen(page, screen, base)
            menu = page.locator("details.site-menu")
            menu.locator("summary").click()
            assert menu.get_attribute("open") is not None
            assert page.locator("header .header-search").is_visible()
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                violations = [rule for rule in page.evaluate(RUN_AXE) if rule["impact"] in BLOCKING]
                found += readable(f"{screen.name} {language} 375 menu {scheme}", violations)
        finally:
            context.close()
    assert not found, "serious or critical accessibility violations:\n" + "\n".join(found)
