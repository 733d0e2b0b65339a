"""Communities end to end: create one, post with a hashtag and a mention, comment, like,
ask to join a private community and get approved."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_create_post_mention_comment_like(page, browser, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/")
    page.get_by_role("link", name="New community").click()
    page.get_by_label("Name").fill("Trail signage")
    page.get_by_label("Description").fill("Signs, maps and wayfinding along the lake.")
    page.get_by_label("Kind").select_option("theme")
    page.get_by_label("Open: every internal member can read and join").check()
    page.get_by_role("button", name="Create the community").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trail signage")

    box = page.get_by_label("Write a post")
    box.fill("Kick-off next week with @Hug")
    box.press("o")  # a key press asks the server for people to mention
    page.get_by_role("button", name="@Hugo Bernard").click()
    expect(box).to_have_value("Kick-off next week with @**Hugo Bernard** ")
    box.press_sequentially("#signage")
    page.get_by_role("button", name="Post", exact=True).click()
    post = page.locator(".post").first
    expect(post.get_by_role("link", name="#signage")).to_be_visible()
    expect(post.get_by_role("link", name="@Hugo Bernard")).to_be_visible()
    shot(page, "communities-1-post")

    hugo = browser.new_page()
    sign_in(hugo, base, "hugo.bernard@parvis.example", demo_site.DEMO_PASSWORD)
    hugo.goto(f"{base}/communities/trail-signage/")
    hugo.get_by_role("button", name="Join").click()
    expect(hugo.get_by_role("status")).to_contain_text("Welcome to Trail signage")
    like = hugo.locator(".post").first.get_by_role("button", name="Like")
    like.click()
    expect(hugo.locator(".post").first.locator(".like-button")).to_have_attribute(
        "aria-pressed", "true"
    )
    hugo.locator(".post").first.get_by_role("link", name="0 comments").click()
    hugo.get_by_label("Add a comment").fill("Count me in for the *maps*.")
    hugo.get_by_role("button", name="Comment", exact=True).click()
    expect(hugo.locator(".comment")).to_contain_text("Count me in for the maps.")
    expect(hugo.locator(".comment em")).to_have_text("maps")
    hugo.goto(f"{base}/tags/signage/")
    expect(hugo.locator(".post")).to_have_count(1)
    hugo.close()

    page.reload()
    expect(page.locator(".post").first.locator(".like-button .count")).to_have_text("1")
    expect(page.locator(".post").first).to_contain_text("1 comment")


def test_ask_to_join_a_private_community_and_get_approved(
    page, browser, live_server, demo_site, shot
):
    base = live_server.url
    sarah = browser.new_page()
    sign_in(sarah, base, "sarah.petit@parvis.example", demo_site.DEMO_PASSWORD)
    sarah.goto(f"{base}/communities/lakeside-trails/")
    expect(sarah.get_by_text("The content of this community is for its members.")).to_be_visible()
    sarah.get_by_role("button", name="Ask to join").click()
    expect(sarah.get_by_role("status")).to_contain_text("Your request was sent to the leads.")
    expect(sarah.get_by_text("Request sent: a lead will answer")).to_be_visible()

    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/lakeside-trails/members/")
    requests = page.get_by_role("region", name="Asking to join")
    expect(requests).to_contain_text("Sarah Petit")
    shot(page, "communities-2-request")
    requests.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("region", name="Asking to join")).to_have_count(0)

    sarah.reload()
    expect(sarah.get_by_role("heading", name="Posts")).to_be_visible()
    expect(sarah.locator(".post").first).to_contain_text("steering committee")
    sarah.close()


def test_guest_sees_only_her_community(page, live_server, demo_site, shot):
    base = live_server.url
    sign_in(page, base, "julie.roux@funder-region.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/communities/")
    expect(page.locator(".community-card")).to_have_count(1)
    expect(page.locator(".community-card")).to_contain_text("Lakeside Trails")
    expect(page.get_by_role("link", name="New community")).to_have_count(0)
    for path in (
        "/communities/sustainable-tourism/",
        "/communities/general/",
        "/communities/board/",
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 404, path
    page.goto(f"{base}/feed/")
    # Lakeside Trails only: Camille's post and the page the editors published to it
    expect(page.locator(".post")).to_have_count(2)
    expect(page.locator(".post").filter(has_text="From the editors")).to_contain_text(
        "Lakeside Trails: the route is chosen"
    )
    shot(page, "communities-3-guest-feed")
