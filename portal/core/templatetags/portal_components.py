"""Helpers of the component templates (``templates/components/``) that a template cannot
compute itself. None of them queries the database: the avatar is rendered for every post and
comment of a feed, inside cached fragments (``communities/fragments.py``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

AVATAR_COLOURS = 8  # --color-avatar-1 … -8 in components/avatar.css
AVATAR_SIZES = {"sm": 32, "md": 48, "lg": 112}


def avatar_colour_index(pk: Any) -> int:
    """Which of the avatar colours (1…8) stands for the person with this id: stable for a
    person, different between neighbours. An unsaved person (no id) gets the first."""
    try:
        return int(pk) % AVATAR_COLOURS + 1
    except (TypeError, ValueError):
        return 1


@register.filter
def avatar_colour(person: Any) -> int:
    """``{{ person|avatar_colour }}``: the person's avatar colour, from their id alone."""
    return avatar_colour_index(getattr(person, "pk", None))


@register.filter
def avatar_pixels(size: Any) -> int:
    """``{{ size|avatar_pixels }}``: the width in pixels of an avatar size (sm, md, lg)."""
    return AVATAR_SIZES.get(str(size), AVATAR_SIZES["md"])
