"""Posts and comments rendered once and cached by what they show (communities/fragments.py):
the cache must never show one reader another reader's side of a post, nor an old version."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from communities import services as cs
from communities.fragments import _csrf_placeholder
from portal.accounts import services as account_services
from tests.communities.conftest import add_member
from tests.factories import UserFactory

POST = "communities/_post.html"
COMMENT = "communities/_comment_content.html"


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _rendered(response) -> list[str]:
    return [t.name for t in response.templates]


@pytest.fixture
def feed(lead, project, member):
    add_member(project, lead, member)
    post = cs.post_create(acting_user=member, community=project, body="The first draft")
    return reverse("communities:detail", args=[project.slug]), post


def test_a_post_is_rendered_once_for_readers_who_see_it_alike(feed, lead, project):
    url, _post = feed
    colleague = UserFactory()
    add_member(project, lead, colleague)
    other = UserFactory()
    add_member(project, lead, other)
    first = _client(colleague).get(url)
    assert POST in _rendered(first)
    second = _client(other).get(url)
    assert POST not in _rendered(second)  # from the cache
    assert "The first draft" in second.content.decode()


def _readers(project, lead, count=2):
    """Members who are not the author: the policy gives them the same actions."""
    readers = [UserFactory() for _ in range(count)]
    for reader in readers:
        add_member(project, lead, reader)
    return readers


def test_each_reader_gets_their_own_actions_and_like(feed, lead, member, project):
    url, post = feed
    as_lead = _client(lead).get(url).content.decode()
    as_member = _client(member).get(url).content.decode()
    pin = reverse("communities:post_moderate", args=[post.pk, "pin"])
    assert pin in as_lead and pin not in as_member  # moderation is the lead's
    edit = reverse("communities:post_edit", args=[post.pk])
    assert edit in as_member and edit not in as_lead  # editing is the author's
    liker, other = _readers(project, lead)
    cs.post_like_toggle(acting_user=liker, post=post)
    as_other = _client(other).get(url).content.decode()
    as_liker = _client(liker).get(url).content.decode()
    assert re.search(r'aria-pressed="false">♡ Like <span class="count">1', as_other)
    assert re.search(r'aria-pressed="true">♥ Liked <span class="count">1', as_liker)


def test_an_edit_a_renamed_author_and_a_new_comment_show_at_once(feed, lead, member):
    url, post = feed
    reader = _client(lead)
    assert "The first draft" in reader.get(url).content.decode()
    account_services.user_profile_update(user=member, acting_user=member, display_name="Renamed")
    assert "Renamed" in reader.get(url).content.decode()
    cs.post_update(acting_user=member, post=post, body="The second draft")
    page = reader.get(url).content.decode()
    assert "The second draft" in page and "The first draft" not in page
    cs.comment_create(acting_user=lead, post=post, body="Noted")
    assert "1 comment" in reader.get(url).content.decode()


def test_the_language_and_time_zone_are_part_of_the_key(feed, lead, project):
    url, _post = feed
    paris, montreal, french = _readers(project, lead, 3)
    page = _client(paris).get(url).content.decode()
    assert "Like" in page and re.search(r'datetime="[^"]+\+0[12]:00"', page)
    account_services.user_profile_update(
        user=montreal, acting_user=montreal, timezone="America/Montreal"
    )
    page = _client(montreal).get(url).content.decode()
    assert re.search(r'datetime="[^"]+-0[45]:00"', page)  # the reader's own zone
    account_services.user_profile_update(user=french, acting_user=french, language="fr")
    page = _client(french).get(url).content.decode()
    assert "J’aime" in page or "J'aime" in page


def test_the_csrf_token_is_the_readers_own_and_works(feed, lead, member):
    url, post = feed
    _client(member).get(url)  # the member's render is now cached
    other = UserFactory()
    add_member(post.community, lead, other)
    client = _client(other, enforce_csrf_checks=True)
    page = client.get(url).content.decode()
    from django.conf import settings

    assert _csrf_placeholder(settings.SECRET_KEY) not in page
    like = reverse("communities:post_like", args=[post.pk])
    form = page[page.index(f'action="{like}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    answer = client.post(like, {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    post.refresh_from_db()
    assert post.like_count == 1


def test_a_member_cannot_write_the_placeholder_into_a_page(feed, lead, project):
    from django.conf import settings

    url, _post = feed
    placeholder = _csrf_placeholder(settings.SECRET_KEY)
    assert len(placeholder) > 40  # derived from SECRET_KEY: nobody can guess it
    cs.post_create(acting_user=lead, community=project, body="csrf-0123 is not it")
    page = _client(lead).get(url).content.decode()
    assert "csrf-0123 is not it" in page


def test_comments_share_their_content_and_keep_their_actions(feed, lead, member):
    _url, post = feed
    comment = cs.comment_create(acting_user=lead, post=post, body="A remark")
    url = reverse("communities:post", args=[post.pk])
    first = _client(member).get(url)
    assert COMMENT in _rendered(first)
    second = _client(lead).get(url)
    assert COMMENT not in _rendered(second)
    edit = reverse("communities:comment_edit", args=[comment.pk])
    assert edit in second.content.decode() and edit not in first.content.decode()
    cs.comment_update(acting_user=lead, comment=comment, body="A better remark")
    page = _client(member).get(url).content.decode()
    assert "A better remark" in page and "(edited)" in page
