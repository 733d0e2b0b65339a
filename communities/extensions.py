"""Hooks through which an upper app adds to what communities shows, without communities
importing it (STYLE.md: dependencies point down).

An app registers a hook in its ``AppConfig.ready()``. A post hook receives the posts queryset
of every feed (community, home, hashtag, one post) and returns it, typically with one more
annotation (``via``: the integration that wrote the post). A hook must not add a query per
row: annotate with a subquery.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

PostHook = Callable[[QuerySet], QuerySet]

_post_hooks: list[PostHook] = []


def register_post_hook(hook: PostHook) -> PostHook:
    if hook not in _post_hooks:
        _post_hooks.append(hook)
    return hook


def apply_post_hooks(posts: QuerySet) -> QuerySet:
    for hook in _post_hooks:
        posts = hook(posts)
    return posts
