"""Markdown as people write it, seen in the feed; @mention suggestions in a comment box."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POST = """#newcomer Hello everyone
> Coffee is on the second floor.

Filter with `a<b` in the export.
Map: https://example.org/annecy-map
Bring:
- walking boots
- a water bottle"""


def test_a_post_reads_as_written_in_the_feed(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "sarah.petit@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/annecy-office/")
    page.get_by_label("Write a post").fill(POST)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Posted")

    page.goto(f"{base}/feed/")
    post = page.locator(".post").filter(has_text="walking boots")
    body = post.locator(".post-body")
    # the onboarding ritual: a hashtag, not a heading
    tag = body.get_by_role("link", name="#newcomer")
    expect(tag).to_have_attribute("href", "/tags/newcomer/")
    expect(body.locator("h1, h2, h3, h4")).to_have_count(0)
    expect(body.locator("blockquote")).to_have_text("Coffee is on the second floor.")
    expect(body.locator("code")).to_have_text("a<b")
    link = body.get_by_role("link", name="https://example.org/annecy-map")
    expect(link).to_have_attribute("href", "https://example.org/annecy-map")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(body.get_by_role("listitem")).to_have_text(["walking boots", "a water bottle"])
    expect(body).not_to_contain_text("&lt;")
    shot(page, "markdown-1-feed")

    tag.click()  # the tag's page lists it, with Sarah's first post
    expect(page).to_have_url(f"{base}/tags/newcomer/")
    expect(page.locator(".post").filter(has_text="walking boots")).to_have_count(1)


def test_a_comment_box_suggests_people_to_mention(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "hugo.bernard@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/sustainable-tourism/")
    survey = page.locator(".post").filter(has_text="visitor survey")
    survey.get_by_role("link", name="2 comments").click()

    box = page.get_by_label("Add a comment")
    box.fill("Good idea, @C")
    box.press("a")  # a key press asks the server for people to mention
    page.get_by_role("button", name="@Camille Martin").click()
    expect(box).to_have_value("Good idea, @**Camille Martin** ")
    expect(box).to_be_focused()
    box.press_sequentially("what do you think?")
    shot(page, "markdown-2-comment-mention")
    page.get_by_role("button", name="Comment", exact=True).click()
    comment = page.locator(".comment").filter(has_text="Good idea")
    expect(comment.get_by_role("link", name="@Camille Martin")).to_be_visible()

    # a reply box offers the same
    page.locator(".comment").first.locator("summary", has_text="Reply").click()
    reply = page.locator(".comment").first.get_by_role("textbox")
    reply.fill("Agreed @In")
    reply.press("e")
    page.get_by_role("button", name="@Inès Moreau").click()
    expect(reply).to_have_value("Agreed @**Inès Moreau** ")
