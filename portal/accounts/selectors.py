"""Reads of people, filtered by who asks.

Who may see whom is one function, ``communities.selectors.people_visible_to``: the
directory, profile pages, member lists and @mention autocomplete all start from it. The
answer depends on memberships, a layer above this one, so communities registers it here in
its ``ready()`` (``register_people_visibility``) and ``people_visible_to`` below asks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.http import Http404
from taggit.models import Tag

from portal.core.pagination import Page, keyset_page

User = get_user_model()

DIRECTORY_PAGE_SIZE = 24

_people_visibility: Callable[[Any], QuerySet] | None = None


def register_people_visibility(provider: Callable[[Any], QuerySet]) -> None:
    """Install the one answer to "whom may this user see?" (communities' ``ready()``)."""
    global _people_visibility
    _people_visibility = provider


def people_visible_to(user: Any) -> QuerySet:
    """Who ``user`` may see: the registered provider's answer (see the module docstring)."""
    if _people_visibility is None:
        raise ImproperlyConfigured("No people visibility registered (is communities installed?)")
    return _people_visibility(user)


def person_get_visible_to(*, user, pk: int) -> User:
    """The person ``pk`` if ``user`` may see them; Http404 when missing or not allowed."""
    try:
        return people_visible_to(user).prefetch_related("skills").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    organisation: str = ""
    location: str = ""
    skill: str = ""


def directory_page(
    *, user, filters: DirectoryFilters, cursor: str | None = None, limit: int = DIRECTORY_PAGE_SIZE
) -> Page:
    """One page of the people directory, alphabetical, with skills loaded in one query."""
    people = people_visible_to(user)
    if filters.q:
        for word in filters.q.split()[:5]:
            people = people.filter(
                Q(display_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(organisation__icontains=word)
                | Q(job_title__icontains=word)
                | Q(location__icontains=word)
                | Q(skills__name__iexact=word)
            )
        people = people.distinct()
    if filters.organisation:
        people = people.filter(organisation__iexact=filters.organisation)
    if filters.location:
        people = people.filter(location__iexact=filters.location)
    if filters.skill:
        people = people.filter(skills__name__iexact=filters.skill)
    page = keyset_page(
        people.prefetch_related("skills"), key="display_name", cursor=cursor, limit=limit
    )
    return page


@dataclass(frozen=True)
class DirectoryFacets:
    organisations: list[str]
    locations: list[str]
    skills: list[str]


def directory_facets(*, user) -> DirectoryFacets:
    """The values the directory's filters offer, drawn only from people ``user`` may see."""
    people = people_visible_to(user)
    organisations = (
        people.exclude(organisation="")
        .order_by("organisation")
        .values_list("organisation", flat=True)
        .distinct()
    )
    locations = (
        people.exclude(location="").order_by("location").values_list("location", flat=True)
    ).distinct()
    skills = (
        Tag.objects.filter(accounts_userskill_items__content_object__in=people)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    return DirectoryFacets(
        organisations=list(organisations[:200]),
        locations=list(locations[:200]),
        skills=list(skills[:200]),
    )
