"""Editorial pages scoped to a community, and 'publish to community'."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from communities import digests
from communities import services as cs
from communities.models import Activity, Post
from portal import demo
from portal.pages import services
from portal.pages.models import HomePage, NewsIndexPage, NewsPage, PageAnnouncement
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    demo.seed_pages()
    return HomePage.objects.get()


@pytest.fixture
def editor(db):
    demo.seed_pages()  # the groups and their page permissions
    person = UserFactory(display_name="Edith Editor")
    person.groups.add(Group.objects.get(name="Moderators"))  # may publish
    return person


@pytest.fixture
def scoped(site, project):
    news = NewsPage(
        title="The route is chosen",
        slug="route",
        intro="The northern route keeps the trail off the main road.",
        date=datetime.date.today(),
        community=project,
    )
    NewsIndexPage.objects.get().add_child(instance=news)
    news.save_revision().publish()
    return NewsPage.objects.get(pk=news.pk)


@pytest.fixture
def people(project, lead):
    member = UserFactory(display_name="Mia Member")
    add_member(project, lead, member)
    guest = GuestFactory(display_name="Gus Guest")
    add_guest(project, guest)
    other = cs.community_create(acting_user=lead, name="Elsewhere", visibility="private")
    stranger_guest = GuestFactory(display_name="Sid Stranger")
    add_guest(other, stranger_guest)
    return {
        "member": member,
        "guest": guest,
        "outsider": UserFactory(display_name="Otto Outsider"),
        "stranger_guest": stranger_guest,
    }


def test_a_scoped_page_is_read_by_the_community_only(client, scoped, people, lead, staff):
    url = scoped.url
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for name, expected in [
        ("member", 200),
        ("guest", 200),  # a guest of the community, though the page is not marked for guests
        ("outsider", 404),  # the same answer as for a page that does not exist
        ("stranger_guest", 404),
    ]:
        client.force_login(people[name])
        assert client.get(url).status_code == expected, name
    for person in (lead, staff):
        client.force_login(person)
        assert client.get(url).status_code == 200


def test_a_scoped_page_is_listed_only_for_its_readers(client, scoped, people):
    client.force_login(people["outsider"])
    assert scoped.title not in client.get("/news/").text
    assert scoped.title not in client.get("/").text
    client.force_login(people["member"])
    assert scoped.title in client.get("/news/").text
    assert scoped.title in client.get("/").text
    client.force_login(people["guest"])
    assert scoped.title in client.get("/").text  # the guest's home lists it
    client.logout()
    assert scoped.title not in client.get("/").text


def test_an_archived_community_keeps_its_page_for_its_members(client, scoped, people, lead):
    cs.community_archive(acting_user=lead, community=scoped.community)
    client.force_login(people["member"])
    assert client.get(scoped.url).status_code == 200
    client.force_login(people["outsider"])
    assert client.get(scoped.url).status_code == 404


def test_publish_to_community_puts_the_page_in_the_feed_and_the_next_digest(
    client, scoped, people, editor
):
    before = timezone.now() - datetime.timedelta(minutes=1)
    announcement = services.page_publish_to_community(acting_user=editor, page=scoped)
    post = announcement.post
    assert post.community == scoped.community and post.author == editor
    assert f"]({scoped.url})" in post.body and "northern route" in post.body
    assert Activity.objects.filter(verb=Activity.Verb.POST_CREATED, target_id=post.pk).exists()
    assert PageLogEntry.objects.filter(page=scoped, action="pages.publish_to_community").exists()

    client.force_login(people["guest"])
    feed = client.get(reverse("communities:detail", args=[scoped.community.slug])).text
    assert scoped.title in feed and "From the editors" in feed
    assert f'href="{scoped.url}"' in feed

    digest = digests.digest_build(
        user=people["member"], starts_at=before, ends_at=timezone.now() + datetime.timedelta(1)
    )
    sections = {
        section.heading: [item.title for item in section.items]
        for community in digest.communities
        for section in community.sections
    }
    assert sections["From the editors"] == [scoped.title]


def test_an_editors_post_with_many_likes_is_in_the_digest_once(scoped, people, editor, lead):
    before = timezone.now() - datetime.timedelta(minutes=1)
    post = services.page_publish_to_community(acting_user=editor, page=scoped).post
    cs.post_create(acting_user=lead, community=scoped.community, body="A quieter note")
    for person in (lead, people["guest"]):
        cs.post_like_toggle(acting_user=person, post=post)  # the most engaging post

    digest = digests.digest_build(
        user=people["member"], starts_at=before, ends_at=timezone.now() + datetime.timedelta(1)
    )
    sections = {
        section.heading: [item.title for item in section.items]
        for community in digest.communities
        for section in community.sections
    }
    assert sections["From the editors"] == [scoped.title]
    assert sections["Most engaging posts"] == ["A quieter note"]


def test_publish_to_community_refusals_change_nothing(scoped, people, editor, lead):
    services.page_publish_to_community(acting_user=editor, page=scoped)
    with pytest.raises(ValidationError, match="already in the community"):
        services.page_publish_to_community(acting_user=editor, page=scoped)
    assert Post.objects.count() == 1
    scoped.save_revision().publish()  # a new version may be shared again
    services.page_publish_to_community(acting_user=editor, page=NewsPage.objects.get(pk=scoped.pk))
    assert PageAnnouncement.objects.count() == 2

    for person in (people["member"], people["guest"], lead):  # no right on the page
        with pytest.raises(PermissionDenied):
            services.page_publish_to_community(
                acting_user=person, page=NewsPage.objects.get(pk=scoped.pk)
            )
    draft = NewsPage(title="Draft", slug="draft", intro="x", community=scoped.community, live=False)
    NewsIndexPage.objects.get().add_child(instance=draft)
    with pytest.raises(ValidationError, match="Publish the page first"):
        services.page_publish_to_community(acting_user=editor, page=draft)
    public = NewsPage.objects.exclude(community__isnull=False).live().first()
    with pytest.raises(ValidationError, match="not scoped"):
        services.page_publish_to_community(acting_user=editor, page=public)
    scoped.save_revision().publish()
    cs.community_archive(acting_user=lead, community=scoped.community)
    with pytest.raises(ValidationError, match="archived"):
        services.page_publish_to_community(
            acting_user=editor, page=NewsPage.objects.get(pk=scoped.pk)
        )
    assert PageAnnouncement.objects.count() == 2 and Post.objects.count() == 2


def test_the_admin_confirms_then_publishes(client, scoped, editor, people):
    url = reverse("publish_to_community", args=[scoped.pk])
    client.force_login(editor)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[scoped.pk])).text
    assert url in edit  # the header button of a live scoped page
    confirm = client.get(url)
    assert confirm.status_code == 200 and scoped.community.name in confirm.text
    # the post as the feed will show it, not its Markdown
    assert f'<strong><a href="{scoped.url}" rel="noopener noreferrer nofollow">' in confirm.text
    assert "The route is chosen</a></strong>" in confirm.text
    assert "**[" not in confirm.text
    assert not Post.objects.exists()  # GET changes nothing
    response = client.post(url, follow=True)
    assert "is now in the feed of" in response.text
    assert PageAnnouncement.objects.filter(page=scoped).count() == 1
    again = client.post(url, follow=True)
    assert "already in the community" in again.text
    assert PageAnnouncement.objects.count() == 1


def test_the_admin_view_answers_404_to_those_without_the_right(client, scoped, people, site):
    url = reverse("publish_to_community", args=[scoped.pk])
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(people["member"])
    assert client.get(url).status_code == 403  # no admin access at all: "no access"
    writer = UserFactory()
    writer.groups.add(Group.objects.get(name="Editors"))  # edits, but publishes through review
    client.force_login(writer)
    if scoped.permissions_for_user(writer).can_publish():
        pytest.fail("the demo's editors publish through the moderation workflow")
    assert client.post(url).status_code == 404
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    unscoped = site.get_children().live().first()
    assert client.get(reverse("publish_to_community", args=[unscoped.pk])).status_code == 404
    assert not PageAnnouncement.objects.exists()
    assert not ModelLogEntry.objects.filter(action="pages.publish_to_community").exists()


def test_the_community_choice_lists_only_communities_the_editor_may_see(
    client, scoped, editor, project, lead
):
    secret = cs.community_create(acting_user=lead, name="Hidden board", visibility="secret")
    mine = cs.community_create(acting_user=editor, name="My secret circle", visibility="secret")
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[scoped.pk])
    edit = client.get(edit_url).text
    assert f'<option value="{project.pk}" selected>' in edit  # private: known to exist
    assert f'<option value="{mine.pk}">' in edit
    assert "Hidden board" not in edit
    form_class = NewsPage.get_edit_handler().get_form_class()
    form = form_class(instance=scoped, for_user=editor)
    assert secret not in form.fields["community"].queryset
    # A page already scoped to a community the editor cannot see keeps that scope.
    NewsPage.objects.filter(pk=scoped.pk).update(community=secret)
    scoped.refresh_from_db()
    form = form_class(instance=scoped, for_user=editor)
    assert list(form.fields["community"].queryset.filter(visibility="secret")) == [secret, mine]
