"""The reply-to-comment box (QA #13): as wide as its thread at desktop and phone width, and
on a phone Wagtail's userbar button never sits on the last form once scrolled to the end."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 740)])
def test_the_reply_box_takes_the_width_of_its_thread(
    page, live_server, demo_site, shot, width, height
):
    from communities.models import Comment

    comment = Comment.objects.filter(parent__isnull=True).order_by("pk").first()
    page.set_viewport_size({"width": width, "height": height})
    base = live_server.url
    sign_in(page, base, "claire.dubois@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/posts/{comment.post_id}/")
    thread = page.locator(f"#comment-{comment.pk}")
    thread.locator("details.reply > summary").click()
    box = page.locator(f"#reply-{comment.pk}")
    expect(box).to_be_visible()
    box.fill("Thank you, I will bring the map.")
    thread_width = thread.bounding_box()["width"]
    assert box.bounding_box()["width"] >= thread_width - 2, (box.bounding_box(), thread_width)
    assert box.bounding_box()["width"] > (600 if width > 720 else 300)
    shot(page, f"reply-box-{width}")

    trigger = page.locator("#wagtail-userbar-trigger")
    expect(trigger).to_be_visible()  # Claire edits pages: the userbar is there
    # The box at the very bottom of the screen, where the button floats (QA's screenshot),
    # then the reader goes into it: it comes up clear of the button.
    page.evaluate(
        "([id, h]) => window.scrollBy(0, document.getElementById(id)"
        ".getBoundingClientRect().bottom - h + 4)",
        [f"reply-{comment.pk}", height],
    )
    page.evaluate("document.activeElement.blur()")
    assert _overlap(box.bounding_box(), trigger.bounding_box()) or width > 720
    box.focus()
    assert not _overlap(box.bounding_box(), trigger.bounding_box())
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    forms = page.locator("main form:visible")
    last = forms.nth(forms.count() - 1)
    for part in (last.locator("textarea"), last.get_by_role("button").last):
        assert not _overlap(part.bounding_box(), trigger.bounding_box()), part
    page.screenshot(path=SCREENSHOTS / f"reply-box-{width}-end.png")  # the viewport

    box.locator("xpath=..").locator("button[type=submit]").click()
    expect(
        page.locator(".replies > li.comment", has_text="Thank you, I will bring the map.")
    ).to_be_visible()
