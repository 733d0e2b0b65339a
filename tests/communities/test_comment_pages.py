"""Long threads are paged: fifty threads (a comment and its replies) at a time, oldest
first, "Show more comments" for the next ones; a link to one comment opens far enough."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from communities import selectors
from communities import services as cs
from communities.models import Comment, Notification
from tests.communities.conftest import add_member
from tests.factories import UserFactory

SIZE = selectors.COMMENTS_PAGE_SIZE


@pytest.fixture
def thread(lead, project):
    """A post with SIZE + 10 top-level comments, the last one with a reply."""
    post = cs.post_create(acting_user=lead, community=project, body="Long discussion")
    Comment.objects.bulk_create(
        Comment(post=post, author=lead, body=f"Point {n}", body_html=f"<p>Point {n}</p>")
        for n in range(SIZE + 10)
    )
    last = Comment.objects.filter(post=post).order_by("id").last()
    cs.comment_create(acting_user=lead, post=post, body="A late reply", parent=last)
    return post


def _points(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<p>Point (\d+)</p>", html)]


def test_the_first_page_holds_fifty_threads_and_a_link_to_the_rest(client, lead, thread):
    client.force_login(lead)
    url = reverse("communities:post", args=[thread.pk])
    page = client.get(url).content.decode()
    assert _points(page) == list(range(SIZE))
    assert "A late reply" not in page
    more = re.search(r'hx-get="([^"]+\?after=\d+)"', page).group(1)
    rest = client.get(more, HTTP_HX_REQUEST="true")
    rendered = {t.name for t in rest.templates}
    assert "communities/_comments_page.html" in rendered  # only the items:
    assert not rendered & {"communities/post_detail.html", "communities/_post.html"}
    html = rest.content.decode()
    assert _points(html) == list(range(SIZE, SIZE + 10))
    assert "A late reply" in html  # replies come with their thread
    assert "Show more comments" not in html  # the end


def test_without_javascript_the_link_opens_the_next_page(client, lead, thread):
    client.force_login(lead)
    url = reverse("communities:post", args=[thread.pk])
    link = re.search(r'href="([^"]+\?after=\d+)#', client.get(url).content.decode()).group(1)
    page = client.get(link).content.decode()
    assert _points(page) == list(range(SIZE, SIZE + 10))
    assert "Show the first comments" in page and "Add a comment" in page


def test_a_link_to_one_comment_opens_the_page_that_holds_it(client, lead, project, thread):
    reader = UserFactory()
    add_member(project, lead, reader)
    reply = Comment.objects.get(post=thread, parent__isnull=False)
    client.force_login(reader)
    target = reply.get_absolute_url()
    assert target.endswith(f"?comment={reply.pk}#comment-{reply.pk}")
    page = client.get(target).content.decode()
    assert f'id="comment-{reply.pk}"' in page
    assert _points(page) == list(range(SIZE + 10))


def test_a_new_comment_at_the_end_of_a_long_thread_is_shown_after_posting(
    client, lead, project, thread
):
    reader = UserFactory()
    add_member(project, lead, reader)
    client.force_login(reader)
    answer = client.post(
        reverse("communities:comment_create", args=[thread.pk]),
        {"body": "Mine, at the very end", "client_token": "end-1"},
    )
    comment = Comment.objects.get(body="Mine, at the very end")
    assert answer["Location"] == comment.get_absolute_url()
    assert "Mine, at the very end" in client.get(answer["Location"]).content.decode()
    mention = cs.comment_create(acting_user=lead, post=thread, body=f"Thanks @**{reader.name}**")
    notification = Notification.objects.filter(user=reader).latest("id")
    assert notification.url == mention.get_absolute_url()


@pytest.mark.parametrize("bad", ["x", "-1", "99999999999999999999", ""])
def test_bad_cursors_are_ignored(client, lead, thread, bad):
    client.force_login(lead)
    url = reverse("communities:post", args=[thread.pk])
    for name in ("after", "comment"):
        answer = client.get(url, {name: bad})
        assert answer.status_code == 200
        assert _points(answer.content.decode()) == list(range(SIZE))


def test_a_comment_of_another_post_does_not_open_this_one_further(client, lead, project, thread):
    other = cs.post_create(acting_user=lead, community=project, body="Elsewhere")
    elsewhere = cs.comment_create(acting_user=lead, post=other, body="Not here")
    client.force_login(lead)
    url = reverse("communities:post", args=[thread.pk])
    page = client.get(url, {"comment": elsewhere.pk}).content.decode()
    assert _points(page) == list(range(SIZE)) and "Not here" not in page
