"""Posts and comments, rendered once and cached by what they show (``portal.core.fragments``).

Rendering a feed's twenty posts was most of a feed's time. A post's key holds everything it
shows: its text, edit time, tags, attachments, author (name, initials, photo), counts, and
the reader's side of it (liked or not, which actions the policy allows them, whether they
may see the author's profile, the page a moderation form returns to). An edit, a like, a
renamed author or a new photo makes a new key. Readers who see a post alike (same role,
same like) share one entry.

The CSRF token is the only per-request part of a post's forms: it is rendered as a
placeholder and put in on the way out. The placeholder is derived from ``SECRET_KEY``, so
no text a member writes can ask for it.

A comment's header and body are cached the same way; its actions (like, edit, delete, the
reply form with its own idempotency token) are rendered per request around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache as memoize
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from communities.models import Comment, Post
from portal.core.fragments import render_many

AVATAR = "components/avatar.html"
POST_TEMPLATES = ("communities/_post.html", "communities/_like_post.html", AVATAR)
COMMENT_TEMPLATES = ("communities/_comment_content.html", AVATAR)


@memoize
def _csrf_placeholder(secret_key: str) -> str:
    return "csrf-" + salted_hmac("communities.fragments.csrf", "", secret=secret_key).hexdigest()


def _person(person: Any, linked: bool) -> tuple:
    # linked: whether this reader may see the author's profile (``people_visible_to``,
    # asked once per page by the view); readers who may, and those who may not, share an
    # entry each.
    return (person.pk, person.name, person.initials, person.is_erased, linked, person.photo.name)


def _post_shows(post: Post, show_community: bool, next_path: str) -> tuple:
    community = (post.community.slug, post.community.name) if show_community else None
    attachments = tuple((a.pk, a.name, a.size, a.is_image) for a in post.attachments.all())
    return (
        post.pk,
        post.body_html,
        post.created_at,
        post.edited_at,
        post.is_pinned,
        post.is_hidden,
        bool(getattr(post, "announced", False)),
        getattr(post, "via", "") or "",
        _person(post.author, getattr(post, "author_linked", False)),
        community,
        attachments,
        post.comment_count,
        post.like_count,
        # the reader's side of it
        bool(post.liked),
        post.can_react,
        post.can_edit,
        post.can_moderate,
        post.can_delete,
        next_path if post.can_moderate else "",
    )


def _comment_shows(comment: Comment) -> tuple:
    return (
        comment.pk,
        comment.body_html,
        comment.created_at,
        comment.edited_at,
        _person(comment.author, getattr(comment, "author_linked", False)),
    )


def attach_post_html(
    request: HttpRequest, posts: Iterable[Post], *, show_community: bool = False
) -> None:
    """Give each post ``html``: the whole ``<li>`` of the feed, for this reader. Call it after
    the posts' author, community and attachments are loaded and the policy has decorated
    them (``can_react``, ``can_edit``, ``can_moderate``, ``can_delete``)."""
    posts = list(posts)
    placeholder = _csrf_placeholder(settings.SECRET_KEY)
    next_path = request.get_full_path()
    htmls = render_many(
        posts,
        templates=POST_TEMPLATES,
        shows=lambda post: _post_shows(post, show_community, next_path),
        context=lambda post: {
            "post": post,
            "show_community": show_community,
            "next_path": next_path,
            "csrf_token": placeholder,
        },
    )
    token = get_token(request) if any(placeholder in html for html in htmls) else ""
    for post, html in zip(posts, htmls, strict=True):
        post.html = mark_safe(html.replace(placeholder, token))  # noqa: S308 (our template)


def attach_comment_html(comments: Iterable[Comment]) -> None:
    """Give each comment ``content_html``: its header and body."""
    comments = list(comments)
    htmls = render_many(
        comments,
        templates=COMMENT_TEMPLATES,
        shows=_comment_shows,
        context=lambda comment: {"comment": comment},
    )
    for comment, html in zip(comments, htmls, strict=True):
        comment.content_html = mark_safe(html)  # noqa: S308 (our own template's output)
