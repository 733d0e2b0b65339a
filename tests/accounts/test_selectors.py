import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from portal.accounts import selectors
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_internal_member_sees_internal_people_but_not_guests(member, guest):
    colleague = UserFactory()
    visible = set(selectors.people_visible_to(member))
    assert visible == {member, colleague}


def test_guest_sees_only_themself(member, guest):
    assert list(selectors.people_visible_to(guest)) == [guest]
    with pytest.raises(Http404):
        selectors.person_get_visible_to(user=guest, pk=member.pk)


def test_anonymous_and_deactivated_see_nobody(member):
    assert not selectors.people_visible_to(AnonymousUser()).exists()
    gone = UserFactory(is_active=False)
    assert not selectors.people_visible_to(gone).exists()
    assert gone not in selectors.people_visible_to(member)


def test_missing_and_hidden_person_are_the_same_404(member, guest):
    for pk in (guest.pk, 999_999, "nonsense"):
        with pytest.raises(Http404):
            selectors.person_get_visible_to(user=member, pk=pk)


def test_directory_filters_and_search(member):
    UserFactory(display_name="Hugo Bernard", location="Chambéry", skills=["events"])
    UserFactory(display_name="Inès Moreau", organisation="Agence Web", job_title="Marketing")
    page = selectors.directory_page(user=member, filters=selectors.DirectoryFilters(q="marketing"))
    assert [p.display_name for p in page.items] == ["Inès Moreau"]
    page = selectors.directory_page(user=member, filters=selectors.DirectoryFilters(skill="EVENTS"))
    assert [p.display_name for p in page.items] == ["Hugo Bernard"]
    page = selectors.directory_page(
        user=member, filters=selectors.DirectoryFilters(location="chambéry")
    )
    assert [p.display_name for p in page.items] == ["Hugo Bernard"]
    page = selectors.directory_page(
        user=member, filters=selectors.DirectoryFilters(organisation="agence web")
    )
    assert [p.display_name for p in page.items] == ["Inès Moreau"]


def test_directory_pages_with_a_cursor_without_gaps_or_repeats(member):
    for n in range(7):
        UserFactory(display_name="Same Name" if n % 2 else f"Name {n}")
    seen = []
    cursor = None
    while True:
        page = selectors.directory_page(
            user=member, filters=selectors.DirectoryFilters(), cursor=cursor, limit=3
        )
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    everyone = list(selectors.people_visible_to(member).order_by("display_name", "id"))
    assert seen == everyone
    assert len(seen) == 8


def test_facets_only_from_visible_people(member):
    GuestFactory(organisation="Secret Funder", location="Nowhere", skills=["hidden-skill"])
    UserFactory(organisation="Board", location="Lyon", skills=["press"])
    facets = selectors.directory_facets(user=member)
    assert "Secret Funder" not in facets.organisations
    assert "Nowhere" not in facets.locations
    assert "hidden-skill" not in facets.skills
    assert "Board" in facets.organisations and "Lyon" in facets.locations
    assert "press" in facets.skills
