"""The directory and the person page on the design system's components."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_search_that_finds_nobody_says_how_to_widen_it(member_client):
    page = member_client.get(reverse("accounts:directory"), {"q": "nobody-by-this-name"}).text
    assert "Nobody matches these filters" in page
    # The way out: a button that clears the filters.
    assert f'<a class="button" href="{reverse("accounts:directory")}">Clear filters</a>' in page
    assert 'id="people-list"' not in page


def test_the_directory_shows_person_cards_with_avatars(member_client, member):
    page = member_client.get(reverse("accounts:directory")).text
    assert 'class="card person-card"' in page
    assert member.initials in page and "Camille Martin" in page
    assert "Nobody matches these filters" not in page


def test_the_person_page_heads_with_the_avatar_and_offers_the_edit_to_its_owner(
    client, member, lead
):
    url = reverse("accounts:person", args=[member.pk])
    client.force_login(member)
    page = client.get(url).text
    head = page[page.index('class="profile-head"') : page.index("</h1>")]
    assert f">{member.initials}</span>" in head and "Camille Martin" in head
    assert "Edit my profile" in page
    client.force_login(lead)  # a colleague sees the page, not the edit
    assert "Edit my profile" not in client.get(url).text
