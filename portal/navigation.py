"""The site's main sections. A section appears in the navigation only once its URL exists,
so a later app (communities, events, documents, search) shows up by adding its route.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: str | Promise
    url_name: str
    icon: str = ""  # a Lucide name from the sprite (portal/static/portal/icons/sprite.svg)
    signed_in_only: bool = True


SECTIONS: tuple[Section, ...] = (
    Section(_("Feed"), "communities:feed", "home"),
    Section(_("Communities"), "communities:list", "users"),
    Section(_("Calendar"), "events:calendar", "calendar"),
    Section(_("Documents"), "documents:list", "file-text"),
    Section(_("People"), "accounts:directory", "contact"),
    Section(_("Search"), "communities:search", "search"),
)


@cache
def _existing_sections() -> tuple[tuple[Section, str], ...]:
    """Sections whose route exists, with their URL (the URLconf does not change at run time)."""
    found = []
    for section in SECTIONS:
        try:
            found.append((section, reverse(section.url_name)))
        except NoReverseMatch:
            continue
    return tuple(found)


def sections_for(user) -> list[dict]:
    return [
        {"label": section.label, "url": url, "icon": section.icon, "name": section.url_name}
        for section, url in _existing_sections()
        if user.is_authenticated or not section.signed_in_only
    ]
