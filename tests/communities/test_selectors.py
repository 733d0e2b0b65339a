import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import permissions
from communities import selectors as sel
from communities import services as cs
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def fill(community, author, people, posts: int) -> None:
    """Posts with comments and likes by several people (who join it if it is open)."""
    if community.visibility == "open":
        for person in people:
            cs.membership_join(acting_user=person, community=community)
    for n in range(posts):
        post = cs.post_create(acting_user=author, community=community, body=f"Post {n} #topic")
        for person in people:
            cs.comment_create(acting_user=person, post=post, body=f"Comment by {person.pk}")
            cs.post_like_toggle(acting_user=person, post=post)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx)


def test_feeds_cost_the_same_number_of_queries_on_3x_the_data(client, lead, project, partner):
    members = [UserFactory() for _ in range(3)]
    for member in members:
        add_member(project, lead, member)
    others = [cs.community_create(acting_user=lead, name=f"Side {n}") for n in range(2)]
    fill(project, lead, members[:1], posts=3)
    fill(others[0], lead, [], posts=1)
    client.force_login(lead)
    urls = [
        reverse("communities:detail", args=[project.slug]),
        reverse("communities:feed"),
        reverse("communities:hashtag", args=["topic"]),
        reverse("communities:list"),
    ]
    small = [count_queries(client, url) for url in urls]
    fill(project, members[0], members, posts=6)
    fill(others[1], lead, members, posts=3)
    cs.community_create(acting_user=lead, name="Side 3")
    large = [count_queries(client, url) for url in urls]
    assert small == large
    # (14: one of them asks, once per page, whose profiles the reader may see; the
    # community's page asks whether its chat is on.)
    assert max(large) <= 14, large


def test_post_page_costs_the_same_whatever_the_number_of_comments(client, lead, project):
    post = cs.post_create(acting_user=lead, community=project, body="Discuss")
    people = [UserFactory() for _ in range(6)]
    for person in people:
        add_member(project, lead, person)
    cs.comment_create(acting_user=people[0], post=post, body="First")
    client.force_login(lead)
    url = reverse("communities:post", args=[post.pk])
    small = count_queries(client, url)
    for person in people:
        parent = cs.comment_create(acting_user=person, post=post, body="Yes")
        cs.comment_create(acting_user=lead, post=post, body="Reply", parent=parent)
        cs.comment_like_toggle(acting_user=person, comment=parent)
    assert count_queries(client, url) == small


def test_feed_pages_with_a_cursor(lead, project):
    for n in range(sel.FEED_PAGE_SIZE + 5):
        cs.post_create(acting_user=lead, community=project, body=f"Post {n}")
    first = sel.community_feed(user=lead, community=project)
    assert len(first.page.items) == sel.FEED_PAGE_SIZE
    second = sel.community_feed(user=lead, community=project, cursor=first.page.next_cursor)
    assert len(second.page.items) == 5 and second.page.next_cursor is None
    ids = [p.pk for p in first.page.items + second.page.items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_hidden_posts_only_for_author_and_leads(lead, project, partner):
    member = UserFactory()
    add_member(project, lead, member)
    post = cs.post_create(acting_user=member, community=project, body="Oops")
    cs.post_set_hidden(acting_user=lead, post=post, hidden=True)
    assert post in sel.community_feed(user=lead, community=project).page.items
    assert post in sel.community_feed(user=member, community=project).page.items
    assert post not in sel.community_feed(user=partner, community=project).page.items
    with pytest.raises(Http404):
        sel.post_get_for_user(user=partner, pk=post.pk)


def test_revoked_guest_loses_everything_on_the_next_request(client, lead, project):
    guest = GuestFactory()
    membership = add_guest(project, guest)
    post = cs.post_create(acting_user=lead, community=project, body="Partners only #budget")
    client.force_login(guest)
    assert client.get(reverse("communities:detail", args=[project.slug])).status_code == 200
    assert "Partners only" in client.get(reverse("communities:feed")).text
    cs.membership_end(acting_user=lead, membership=membership, reason="removed")
    assert client.get(reverse("communities:detail", args=[project.slug])).status_code == 404
    assert client.get(reverse("communities:post", args=[post.pk])).status_code == 404
    assert "Partners only" not in client.get(reverse("communities:feed")).text
    assert "Partners only" not in client.get(reverse("communities:search"), {"q": "partners"}).text
    assert "Partners only" not in client.get(reverse("communities:hashtag", args=["budget"])).text
    assert project.name not in client.get(reverse("communities:list")).text


def test_search_finds_only_what_the_user_may_see(lead, project):
    outsider = UserFactory()
    secret = cs.community_create(acting_user=lead, name="Secret board", visibility="secret")
    cs.post_create(acting_user=lead, community=secret, body="Budget review in secret")
    post = cs.post_create(acting_user=lead, community=project, body="Budget review for partners")
    cs.comment_create(acting_user=lead, post=post, body="The budget is attached")
    mine = sel.search(user=lead, q="budget")
    assert len(mine.posts) == 2 and len(mine.comments) == 1
    theirs = sel.search(user=outsider, q="budget")
    assert theirs.posts == [] and theirs.comments == []
    assert sel.search(user=outsider, q="secret").communities == []
    assert [c.name for c in sel.search(user=outsider, q="lakeside").communities] == [
        "Lakeside Trails"
    ]


def test_people_visible_to_guest_are_the_people_of_their_communities(lead, project, partner):
    stranger = UserFactory()
    other_guest = GuestFactory()
    visible = set(sel.people_visible_to(partner))
    assert visible == {partner, lead}
    assert stranger not in visible and other_guest not in visible
    assert partner in sel.people_visible_to(lead)
    assert partner not in sel.people_visible_to(stranger)


def test_mention_candidates_are_people_who_can_read_the_community(lead, project, partner):
    UserFactory(display_name="Paul Outside")
    names = [p.display_name for p in sel.mention_candidates(user=lead, community=project, q="Pa")]
    assert names == ["Paula Partner"]


def test_secret_community_is_404_like_a_missing_one(lead):
    secret = cs.community_create(acting_user=lead, name="Board", visibility="secret")
    outsider = UserFactory()
    for slug in (secret.slug, "does-not-exist"):
        with pytest.raises(Http404):
            sel.community_get_for_user(user=outsider, slug=slug)
    assert permissions.can(lead, permissions.VIEW, secret)


def test_hidden_posts_are_listed_exactly_where_their_page_opens(lead, project):
    """In an archived community nobody moderates (the policy removes MODERATE), so a hidden
    post leaves the feeds of leads and administrators as its page does; its author keeps
    both."""
    author = UserFactory()
    add_member(project, lead, author)
    admin = UserFactory(is_superuser=True, is_staff=True)
    hidden = cs.post_create(acting_user=author, community=project, body="Off topic #topic")
    cs.post_set_hidden(acting_user=lead, post=hidden, hidden=True)
    shown = cs.post_create(acting_user=author, community=project, body="On topic #topic")

    def agree(user, *, archived: bool) -> None:
        permissions.forget_roles(user)
        listed = {p.pk for p in sel.community_feed(user=user, community=project).page.items}
        listed_by_tag = {p.pk for p in sel.hashtag_posts(user=user, tag="topic").items}
        try:
            sel.post_get_for_user(user=user, pk=hidden.pk)
            opens = True
        except Http404:
            opens = False
        assert shown.pk in listed
        assert (hidden.pk in listed) == opens, (user, archived)
        if not archived:  # archived communities leave the hashtag pages
            assert (hidden.pk in listed_by_tag) == opens, (user, archived)
        return opens

    assert agree(lead, archived=False) and agree(admin, archived=False)
    cs.community_archive(acting_user=lead, community=project)
    project.refresh_from_db()
    assert not agree(lead, archived=True)
    assert not agree(admin, archived=True)
    assert agree(author, archived=True)
