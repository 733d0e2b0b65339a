import io

import pytest
from django.core.management import call_command
from wagtail.models import Page, PageViewRestriction

from portal import demo
from portal.pages.models import HomePage, NewsIndexPage, NewsPage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    demo.seed_pages()
    return HomePage.objects.get()


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Page.objects.count(), demo.User.objects.count(), NewsPage.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Page.objects.count(), demo.User.objects.count(), NewsPage.objects.count()) == counts
    assert counts[2] == 4  # one of them scoped to Lakeside Trails
    for login in demo.LOGINS:
        assert demo.User.objects.get(email=login.email).check_password(login.password)


def test_home_page_shows_latest_news(client, site):
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome to Parvis" in response.text
    for news in NewsPage.objects.all():
        assert news.title.replace("'", "&#x27;") in response.text


def test_news_index_filters_by_tag(client, site):
    response = client.get("/news/", {"tag": "newcomer"})
    assert "Welcome to our new colleagues" in response.text
    assert "Summer season campaign launched" not in response.text


def test_private_page_requires_sign_in(client, site, member):
    response = client.get("/staff-handbook/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(member)
    assert client.get("/staff-handbook/").status_code == 200


def test_private_news_is_not_listed_for_visitors(client, site, member):
    secret = NewsPage.objects.get(slug="welcome-to-our-new-colleagues")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.LOGIN)
    assert secret.title not in client.get("/").text
    assert secret.title not in client.get("/news/").text
    client.force_login(member)
    assert secret.title in client.get("/").text


def test_home_page_in_french(client, site):
    response = client.get("/", headers={"accept-language": "fr"})
    assert '<html lang="fr" ' in response.text
    assert "Aller au contenu" in response.text


def test_workflow_and_editor_groups_exist():
    from django.contrib.auth.models import Group
    from wagtail.models import Workflow

    assert {"Editors", "Moderators"} <= set(Group.objects.values_list("name", flat=True))
    assert Workflow.objects.filter(active=True).exists()


def test_news_index_page_lists_children_only(site):
    index = NewsIndexPage.objects.get()
    assert index.get_children().count() == 3


def test_editorial_pages_are_hidden_from_guests_unless_marked(client, site, guest):
    client.force_login(guest)
    home = client.get("/")  # a guest's home: their dashboard, without the staff's content
    assert home.status_code == 200 and "My communities" in home.text
    assert "Welcome to Parvis" not in home.text
    assert client.get("/staff-handbook/").status_code == 404  # for signed-in staff, not guests
    assert client.get("/news/").status_code == 404
    assert client.get("/help/").status_code == 200  # the demo marks Help visible to guests
    handbook = StandardPage.objects.get(slug="staff-handbook")
    handbook.visible_to_guests = True
    handbook.save_revision().publish()
    assert client.get("/staff-handbook/").status_code == 200
    news = NewsPage.objects.get(slug="welcome-to-our-new-colleagues")
    news.visible_to_guests = True
    news.save_revision().publish()
    index = NewsIndexPage.objects.get()
    index.visible_to_guests = True
    index.save_revision().publish()
    listing = client.get("/news/").text
    assert news.title in listing
    assert "Summer season campaign launched" not in listing
