"""The site at 375 px, designed for a phone (issues 17 and 19): nothing scrolls sideways,
with the longest content the demo has plus a file name and a token name with no space to
break at; every control and every link that stands on its own is a 44 × 44 px touch target;
the header folds into a menu that holds the sections, the search box and the counts; the
month is the list of its days with events; wide tables are cards labelled by their columns.
Each page is its own test, so a failure names the page. The README's phone screenshots
(phone-home, phone-community, …) are taken here."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LONG = "quarterly-visitor-statistics-for-the-lakeside-trails-signage-programme-final"
PHONE = {"width": 375, "height": 800}
CAMILLE = "camille.martin@parvis.example"
JULIE = "julie.roux@funder-region.example"

# The touch targets of the header and the main content smaller than 44 by 44 px. Exempt, as
# WCAG 2.5.8 says: a link inside a sentence (an inline link whose block holds other text),
# and what people write (Markdown posts and messages, rich text, help texts). A checkbox or
# a radio is measured by its label, which is what a finger touches.
SMALL_TARGETS = """() => {
  const small = [];
  const selector = "a[href], button, summary, input:not([type=hidden]), select, textarea";
  const roots = document.querySelectorAll("header.site-header, main");
  for (const root of roots) for (const el of root.querySelectorAll(selector)) {
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) continue;
    if (el.closest(".post-body, .rich-text, .helptext, .visually-hidden")) continue;
    let target = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      target = el.closest("label") || document.querySelector(`label[for="${el.id}"]`)
        || el.closest(".check") || el;
    }
    const style = getComputedStyle(el);
    if (el.matches("a") && style.display === "inline") {
      const block = el.parentElement.closest("p, li, td, dd, div");
      const rest = block ? block.textContent.replace(el.textContent, "").trim() : "";
      if (rest) continue;
    }
    const box = target.getBoundingClientRect();
    if (box.width < 43.5 || box.height < 43.5) {
      const name = (el.getAttribute("aria-label") || el.textContent || el.name || "")
        .trim().replace(/\\s+/g, " ").slice(0, 40);
      const classes = String(el.className).trim().split(/\\s+/).join(".");
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()}.${classes} "${name}" ${size}`);
    }
  }
  return small;
}"""


def _world(demo_site) -> dict[str, tuple[str, str]]:
    """Where each page is and who looks at it, after adding long unbreakable names."""
    from communities.models import Community
    from conversations.models import Conversation
    from documents import services as documents
    from documents.models import Document
    from integrations import services as integrations
    from portal.accounts.models import User

    camille = User.objects.get(email=CAMILLE)
    julie = User.objects.get(email=JULIE)
    lakeside = Community.objects.get(slug="lakeside-trails")
    documents.document_create(
        acting_user=camille,
        community=lakeside,
        upload=SimpleUploadedFile(f"{LONG}.pdf", PDF),
        title=LONG,
    )
    integrations.api_token_create(acting_user=camille, name=LONG, scope="read")
    charter = Document.objects.get(title="Graphic charter")
    hugo = User.objects.get(display_name="Hugo Bernard")
    chat = Conversation.objects.filter(kind="group").first()
    lakeside_path = "/communities/lakeside-trails"
    return {
        "home": (CAMILLE, "/"),
        "community": (CAMILLE, f"{lakeside_path}/"),
        "conversation": (CAMILLE, f"/messages/{chat.pk}/"),
        "calendar": (CAMILLE, f"{lakeside_path}/calendar/?view=month"),
        "document": (CAMILLE, f"/documents/{charter.pk}/"),
        "review": (JULIE, f"/documents/{charter.pk}/"),
        "reviews": (JULIE, "/documents/reviews/"),
        "library": (CAMILLE, f"{lakeside_path}/documents/"),
        "members": (CAMILLE, f"{lakeside_path}/members/"),
        "invitations": (CAMILLE, "/invitations/"),
        "guest-access": (CAMILLE, f"/guests/{julie.pk}/"),
        "event-form": (CAMILLE, f"{lakeside_path}/calendar/new/"),
        "directory": (CAMILLE, "/people/"),
        "person": (CAMILLE, f"/people/{hugo.pk}/"),
        "api-tokens": (CAMILLE, "/profile/api-tokens/"),
        "notifications": (CAMILLE, "/notifications/"),
    }


PAGES = [
    "home",
    "community",
    "conversation",
    "calendar",
    "document",
    "review",
    "reviews",
    "library",
    "members",
    "invitations",
    "guest-access",
    "event-form",
    "directory",
    "person",
    "api-tokens",
    "notifications",
]


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_phone(page, live_server, demo_site, shot, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path / "media"
    who, url = _world(demo_site)[name]
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, who, demo_site.DEMO_PASSWORD)
    page.goto(live_server.url + url)
    page.wait_for_load_state("networkidle")  # the counts arrive after the page
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{url} scrolls sideways at 375 px ({width} px wide)"
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"{url}: touch targets under 44 × 44 px:\n" + "\n".join(small)
    # The same with the header's menu open: its sections, search box and counts.
    page.locator("summary.menu-toggle").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"{url}, menu open: touch targets under 44 × 44 px:\n" + "\n".join(small)
    page.locator("summary.menu-toggle").click()
    shot(page, f"phone-{name}")


def test_the_header_folds_into_a_menu_with_the_search_and_the_counts(
    page, browser, live_server, demo_site, shot
):
    base = live_server.url
    page.set_viewport_size(PHONE)
    sign_in(page, base, CAMILLE, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/")
    page.wait_for_load_state("networkidle")
    header = page.locator("header.site-header")
    menu = header.locator("details.site-menu")
    toggle = menu.locator("summary")
    nav = page.get_by_role("navigation", name="Main")
    search = header.get_by_role("searchbox", name="Search communities, posts and comments")
    messages = header.locator("a.messages-link")
    bell = header.locator("a.bell")
    # Folded: only the mark, the avatar and the Menu button, on one row; Camille has unread
    # messages and a notification, so the button carries a dot and says so.
    for hidden in (nav, search, messages, bell):
        expect(hidden).to_be_hidden()
    expect(toggle).to_have_accessible_name("Menu (unread)")
    expect(toggle.locator(".menu-unread")).to_be_visible()
    assert header.bounding_box()["height"] < 80
    # The keyboard opens it (a <details>: no script needed, see below) …
    toggle.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    for shown in (nav, search, messages, bell):
        expect(shown).to_be_visible()
    expect(nav.get_by_role("link", name="Communities")).to_have_attribute("aria-current", "page")
    expect(messages.locator("[data-unread='messages']")).to_have_text("2")
    expect(bell.locator("[data-bell-count]")).to_have_text("1")
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    expect(toggle.locator(".menu-unread")).to_be_hidden()  # the counts themselves show
    shot(page, "phone-menu")
    # … Escape closes it and gives the focus back to the button.
    search.focus()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_focused()
    # The search box searches.
    toggle.click()
    search.fill("Lakeside")
    search.press("Enter")
    page.wait_for_url("**/search/?q=Lakeside")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(
        page.locator("main").get_by_role("link", name="Lakeside Trails", exact=True)
    ).to_be_visible()

    # On a wide screen the menu is simply there: no Menu button, the sections in the row.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(toggle).to_be_hidden()
    expect(nav.get_by_role("link", name="Calendar")).to_be_visible()
    expect(messages).to_be_visible()
    expect(bell).to_be_visible()

    # Without JavaScript the phone's menu still opens and its links work.
    cookies = page.context.cookies()
    bare = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="en-GB")
    try:
        bare.add_cookies(cookies)
        plain = bare.new_page()
        plain.goto(f"{base}/communities/")
        plain_nav = plain.get_by_role("navigation", name="Main")
        expect(plain_nav).to_be_hidden()
        plain.locator("summary.menu-toggle").click()
        plain_nav.get_by_role("link", name="People").click()
        plain.wait_for_url("**/people/")
        expect(plain.get_by_role("heading", level=1)).to_be_visible()
    finally:
        bare.close()


def test_the_month_is_a_list_of_its_days_with_events_on_a_phone(page, live_server, demo_site, shot):
    from communities.models import Community
    from events import services as events
    from portal.accounts.models import User

    camille = User.objects.get(email=CAMILLE)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time(17, 30)))
    events.event_create(
        acting_user=camille,
        community=Community.objects.get(slug="lakeside-trails"),
        title="Trail walk with the funders",
        schedule=events.Schedule(
            start=start,
            end=start + datetime.timedelta(hours=1),
            tz=timezone.get_current_timezone_name(),
        ),
    )
    base = live_server.url
    sign_in(page, base, CAMILLE, demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/calendar/?view=month&month={today:%Y-%m}")
    grid = page.locator("table.month-grid")
    # A wide screen: the grid, Monday to Sunday, every day of the weeks shown.
    expect(grid.locator("thead th")).to_have_count(7)
    expect(grid.locator("thead")).to_be_visible()
    all_days = grid.locator("td").count()
    assert all_days >= 28
    assert page.evaluate("getComputedStyle(document.querySelector('.month-grid td')).display") == (
        "table-cell"
    )

    page.set_viewport_size(PHONE)
    expect(grid.locator("thead")).to_be_hidden()
    days = grid.locator("td:visible")
    with_events = grid.locator("td.has-events:not(.other-month)")
    expect(days).to_have_count(with_events.count())
    assert 0 < days.count() < all_days
    # Each day is named in full, one under the other, as wide as the screen.
    boxes = [days.nth(i).bounding_box() for i in range(days.count())]
    for above, below in itertools.pairwise(boxes):
        assert below["y"] >= above["y"] + above["height"]
    assert all(box["width"] > 300 for box in boxes)
    today_cell = grid.locator("td[aria-current='date']")
    expect(today_cell).to_be_visible()
    expect(today_cell).to_contain_text(today.strftime("%A"))
    expect(today_cell.locator(".day-today")).to_have_text("Today")
    expect(today_cell.get_by_role("link", name="17:30 Trail walk with the funders")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    shot(page, "phone-month-list")


TABLE_PAGES = {
    "invitations": (CAMILLE, "/invitations/"),
    "guest-access": (CAMILLE, "guest"),
    "reviews": (JULIE, "/documents/reviews/"),
    "versions": (CAMILLE, "charter"),
    "api-tokens": (CAMILLE, "/profile/api-tokens/"),
}

# Every table row on the page as the reader sees it: how it is drawn, and each cell's
# label (its ::before) beside the name of its column.
CARDS = """() => [...document.querySelectorAll("main table.table-stack")].map((table) => {
  const columns = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  return {
    thead: table.querySelector("thead").getBoundingClientRect().height,
    rows: [...table.querySelectorAll("tbody tr")].map((tr) => ({
      display: getComputedStyle(tr).display,
      width: tr.getBoundingClientRect().width,
      cells: [...tr.children]
        .filter((td) => td.hasAttribute("data-label") && !td.classList.contains("actions"))
        .map((td) => ({
        label: getComputedStyle(td, "::before").content.replace(/^"|"$/g, ""),
        column: columns[td.cellIndex],
      })),
    })),
  };
})"""


@pytest.mark.parametrize("name", list(TABLE_PAGES))
def test_a_wide_table_is_cards_labelled_by_their_columns(page, live_server, demo_site, name):
    from documents.models import Document
    from integrations import services as integrations
    from portal.accounts.models import User

    integrations.api_token_create(
        acting_user=User.objects.get(email=CAMILLE), name="Reporting script", scope="read"
    )
    who, url = TABLE_PAGES[name]
    if url == "guest":
        url = f"/guests/{User.objects.get(email=JULIE).pk}/"
    elif url == "charter":
        url = f"/documents/{Document.objects.get(title='Graphic charter').pk}/"
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, who, demo_site.DEMO_PASSWORD)
    page.goto(live_server.url + url)
    tables = page.evaluate(CARDS)
    assert tables, f"{url} has no table"
    for table in tables:
        assert table["thead"] <= 1  # kept for screen readers, out of sight
        assert table["rows"]
        for row in table["rows"]:
            assert row["display"] == "block"
            assert row["width"] > 300
            assert row["cells"]
            for cell in row["cells"]:
                assert cell["label"] == cell["column"], cell
    page.set_viewport_size({"width": 1280, "height": 800})
    for table in page.evaluate(CARDS):
        assert table["thead"] > 20
        assert all(row["display"] == "table-row" for row in table["rows"])


def _fits(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def test_a_partner_on_the_move_goes_through_the_key_pages(browser, live_server, demo_site, shot):
    """The README's phone screenshots (the first screen of each key page, 375 × 800): a
    lead goes from her home to the project, its chat, its calendar and a document through
    the header's menu and the page's own links; the guest reviewer opens her review."""
    from conversations.models import Conversation
    from documents.models import Document

    base = live_server.url
    chat = Conversation.objects.get(kind="community", community__slug="lakeside-trails")
    charter = Document.objects.get(title="Graphic charter")
    for who in (CAMILLE, JULIE):
        context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=1)
        page = context.new_page()
        try:
            sign_in(page, base, who, demo_site.DEMO_PASSWORD)
            if who == JULIE:
                page.goto(f"{base}/documents/{charter.pk}/#review")
                page.wait_for_load_state("networkidle")
                _fits(page)
                expect(page.locator("#review")).to_be_in_viewport()
                shot(page, "phone-review", full_page=False)
                continue
            page.goto(f"{base}/")
            page.wait_for_load_state("networkidle")
            _fits(page)
            shot(page, "phone-home", full_page=False)
            page.locator("summary.menu-toggle").click()
            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Communities"
            ).click()
            page.locator("main").get_by_role("link", name="Lakeside Trails", exact=True).click()
            page.wait_for_url("**/communities/lakeside-trails/")
            page.wait_for_load_state("networkidle")
            _fits(page)
            shot(page, "phone-community", full_page=False)
            page.goto(f"{base}/messages/{chat.pk}/")
            page.wait_for_load_state("networkidle")
            _fits(page)
            shot(page, "phone-conversation", full_page=False)
            page.goto(f"{base}/communities/lakeside-trails/")
            page.locator("main").get_by_role("link", name="Calendar").first.click()
            page.wait_for_url("**/calendar/**")
            page.goto(page.url.split("?")[0] + "?view=month")
            _fits(page)
            expect(page.locator(".month-grid thead")).to_be_hidden()
            shot(page, "phone-calendar", full_page=False)
            page.goto(f"{base}/documents/{charter.pk}/")
            page.wait_for_load_state("networkidle")
            _fits(page)
            shot(page, "phone-document", full_page=False)
        finally:
            context.close()
