"""A long thread on a phone: the first fifty threads, "Show more comments" for the rest
(htmx, in place), a reply at the very end shown after posting, and a notification that
opens the thread at the comment it is about."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_read_and_answer_a_long_thread_on_a_phone(page, live_server, demo_site, shot):
    from communities import selectors
    from communities import services as cs
    from communities.models import Comment, Post
    from portal.accounts.models import User

    size = selectors.COMMENTS_PAGE_SIZE
    post = Post.objects.get(body__startswith="Hello everyone! I joined the visitor services")
    sarah = User.objects.get(email="sarah.petit@parvis.example")
    Comment.objects.bulk_create(
        Comment(post=post, author=sarah, body=f"Tip {n}", body_html=f"<p>Tip {n}</p>")
        for n in range(size + 5)
    )
    page.set_viewport_size({"width": 375, "height": 740})
    base = live_server.url
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/posts/{post.pk}/")
    comments = page.locator("ol.comments > li.comment")
    expect(comments).to_have_count(size)  # the demo's welcome, then forty-nine tips
    expect(page.get_by_text("Tip 48", exact=True)).to_be_visible()
    expect(page.get_by_text("Tip 49", exact=True)).to_have_count(0)
    more = page.get_by_role("link", name="Show more comments")
    more.focus()
    page.keyboard.press("Enter")  # by keyboard, in place
    expect(page.get_by_text(f"Tip {size + 4}", exact=True)).to_be_visible()
    # the keyboard goes on where the new comments start, not back at the top of the page
    expect(page.locator("li.comment", has_text="Tip 49")).to_be_focused()
    expect(comments).to_have_count(size + 6)
    expect(page.get_by_role("link", name="Show more comments")).to_have_count(0)
    assert page.url.endswith(f"/posts/{post.pk}/")  # the same page, grown
    shot(page, "long-thread-1-phone")

    page.get_by_label("Add a comment").fill("Thanks for all the tips, Sarah!")
    page.get_by_role("button", name="Comment", exact=True).click()
    mine = page.locator("li.comment", has_text="Thanks for all the tips, Sarah!")
    expect(mine).to_be_visible()
    expect(mine).to_be_in_viewport()  # the page opens at the new comment

    cs.comment_create(
        acting_user=sarah,
        post=post,
        body="You are welcome @**Camille Martin**!",
    )
    page.goto(f"{base}/notifications/")
    page.get_by_role("link", name="You are welcome @Camille Martin!").first.click()
    answer = page.locator("li.comment", has_text="You are welcome")
    expect(answer).to_be_in_viewport()
    shot(page, "long-thread-2-notification")
