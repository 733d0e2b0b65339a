"""Rendered fragments cached by what they show (content-addressed).

A fragment's key is a hash of everything its template shows, plus the language and our
compiled translations for it, the time zone and the templates' own source. Any change to
what it shows makes a new key, so nothing has to be invalidated and a stale fragment can
never be shown; old keys expire. The apps say what an item shows (``shows``) and how to
render it (``context``): see ``communities/fragments.py`` (posts, comments) and
``events/views.py`` (agenda lines).

One cache round trip per page: ``get_many`` for all, ``set_many`` for what was rendered.
With the cache down (``portal.core.cache.FailSoftRedisCache``) everything is rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.translation import get_language, to_locale

TTL = 7 * 24 * 3600  # a week: long enough for a busy page, short enough to let old keys go


@memoize
def _catalog_version(language: str) -> str:
    """Our compiled translations for ``language``: a deploy that fixes a French string
    changes the French keys (Django's own catalogues change only with Django)."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in settings.LOCALE_PATHS:
        catalog = Path(folder) / to_locale(language) / "LC_MESSAGES" / "django.mo"
        if catalog.exists():
            digest.update(catalog.read_bytes())
    return digest.hexdigest()


@memoize
def _templates_version(names: tuple[str, ...]) -> str:
    """The source of the fragment's templates: a deploy that changes them changes every key."""
    sources = "".join(get_template(name).template.source for name in names)
    return hashlib.blake2b(sources.encode(), digest_size=8).hexdigest()


def render_many(
    items: Sequence[Any],
    *,
    templates: tuple[str, ...],
    shows: Callable[[Any], tuple],
    context: Callable[[Any], dict],
) -> list[str]:
    """Each item's HTML, from the cache or rendered now with ``templates[0]`` (and then
    cached). ``templates`` names every template the fragment uses (includes too), ``shows``
    returns everything the fragment shows of an item, ``context`` its template context."""
    if not items:
        return []
    language = get_language()
    where = (
        language,
        _catalog_version(language),
        timezone.get_current_timezone_name(),
        _templates_version(templates),
    )
    keys = [
        "fragment:"
        + hashlib.blake2b(repr((where, shows(item))).encode(), digest_size=16).hexdigest()
        for item in items
    ]
    found = cache.get_many(keys)
    rendered = {}
    for key, item in zip(keys, items, strict=True):
        if key not in found:
            found[key] = rendered[key] = str(render_to_string(templates[0], context(item)))
    if rendered:
        cache.set_many(rendered, TTL)
    return [found[key] for key in keys]
