"""The floor's live topics (``portal.core.live`` is the contract): a person's own
``user:<id>`` (the bell, the header's counts), a community's feed ``community:<id>`` ("3 new
posts — show") and a post's comments ``post:<id>``.

The services publish ids on commit; what each recipient gets is decided here, by the policy,
when the event reaches their socket (``deliver``), never when it was published: a post
hidden since, a community the person may not read (any more), a guest whose access ended a
moment ago, all get nothing. A comment arrives rendered for its reader (their like, their
actions, their language and time zone), as the post page would have shown it.

Upper apps add events to the person's own topic with :func:`register_user_event` (the
conversations' ``messages.unread``): their ``compute(user, data)`` returns the payload for
that person at delivery (``None``: nothing is sent). It is also called with ``data={}`` when a
page's socket (re)connects (the topic's catch-up), so it must return the current state, not
a difference: a tab that was asleep shows the right counts at once.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from communities import fragments, notifications, permissions, selectors
from communities.models import Comment, Community, Post
from portal.core import live, principals

logger = logging.getLogger(__name__)

USER, COMMUNITY, POST = "user", "community", "post"
NOTIFICATIONS_CHANGED = notifications.BELL_CHANGED  # published by notifications.py
POST_NEW = "post.new"
COMMENT_NEW, COMMENT_CHANGED = "comment.new", "comment.changed"
# A client that was away for long catches up on this many items at most (the page then
# offers to load the rest, as it does for older posts).
CATCH_UP_LIMIT = 50
# What a comment's forms carry instead of the CSRF token (a socket has no request): the
# page puts its own token in (live-pages.js), as it does with htmx.
CSRF_PLACEHOLDER = "live-csrf-token"

Compute = Callable[[Any, dict], "dict | None"]
_user_events: dict[str, Compute] = {}


def register_user_event(event: str, compute: Compute) -> None:
    """Let ``event`` on a person's own topic reach them, with ``compute(user, data)`` as its
    payload (from ``AppConfig.ready()``). ``compute`` runs at delivery, in the person's
    language, and once with ``data={}`` when their page (re)connects."""
    if _user_events.get(event, compute) is not compute:
        raise ValueError(f"user event {event!r} is already registered")
    _user_events[event] = compute


def user_events() -> frozenset[str]:
    return frozenset(_user_events)


def register() -> None:
    """The floor's topics and its own user event (``CommunitiesConfig.ready()``)."""
    live.register_topic(
        USER, authorize=_authorize_user, deliver=_deliver_user, catch_up=_catch_up_user
    )
    live.register_topic(
        COMMUNITY,
        authorize=_authorize_community,
        deliver=_deliver_community,
        catch_up=_catch_up_community,
    )
    live.register_topic(
        POST, authorize=_authorize_post, deliver=_deliver_post, catch_up=_catch_up_post
    )
    register_user_event(NOTIFICATIONS_CHANGED, notifications_payload)


# --- Publishing (the services call these; each sends on commit; the bell's is in
# notifications.py, which this module reads) ------------------------------


def publish_post_new(post: Post) -> None:
    live.publish(live.topic(COMMUNITY, post.community_id), POST_NEW, {"id": post.pk})


def publish_comment(comment: Comment, *, new: bool) -> None:
    event = COMMENT_NEW if new else COMMENT_CHANGED
    live.publish(live.topic(POST, comment.post_id), event, {"id": comment.pk})


# --- Helpers: the policy, asked now -----------------------------------------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _now(user: Any) -> bool:
    """Forget what the policy cached on this long-lived user object: a socket's user lives
    for the whole connection, and a membership may have ended since the last event."""
    permissions.forget_roles(user)
    return principals.is_signed_in(user)


def _sees_post(user: Any, post: Post) -> bool:
    return permissions.can(user, permissions.VIEW, post.community) and (
        not post.is_hidden or permissions.can_see_hidden(user, post)
    )


def _post_for(user: Any, key: Any) -> Post | None:
    """The post ``key`` if ``user`` may read it now, else None (missing alike)."""
    pk = _int(key)
    if pk is None or not _now(user):
        return None
    post = Post.objects.select_related("community").filter(pk=pk).first()
    return post if post is not None and _sees_post(user, post) else None


def _community_for(user: Any, key: Any) -> Community | None:
    pk = _int(key)
    if pk is None or not _now(user):
        return None
    community = Community.objects.filter(pk=pk).first()
    if community is None or not permissions.can(user, permissions.VIEW, community):
        return None
    return community


@contextmanager
def _as_seen_by(user: Any) -> Iterator[None]:
    """Render in the person's language and time zone, as their pages are."""
    try:
        zone = zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        yield


# --- user:<id> --------------------------------------------------------------------------------


def _authorize_user(user: Any, key: str) -> bool:
    return principals.is_signed_in(user) and key == str(user.pk)


def _deliver_user(user: Any, key: str, event: str, data: dict) -> dict | None:
    compute = _user_events.get(event)
    if compute is None or not _authorize_user(user, key):
        return None
    _now(user)
    with _as_seen_by(user):
        return compute(user, data)


def _catch_up_user(user: Any, key: str, after: int) -> list[dict]:
    """The current state of every registered count: a page that (re)connects is right at
    once, whatever it missed while its socket was down."""
    if not _authorize_user(user, key):
        return []
    items = []
    for event in sorted(_user_events):
        payload = _deliver_user(user, key, event, {})
        if payload is not None:
            items.append({"event": event, "data": payload})
    return items


def notifications_payload(user: Any, data: dict) -> dict:
    """The bell: the unread count and what a screen reader says of it (the bell's own
    words, in the person's language)."""
    count = notifications.unread_count(user=user)
    label = ngettext(
        "Notifications, %(counter)s unread", "Notifications, %(counter)s unread", count
    ) % {"counter": count}
    return {"count": count, "label": label}


# --- community:<id> ---------------------------------------------------------------------------


def _authorize_community(user: Any, key: str) -> bool:
    return _community_for(user, key) is not None


def _deliver_community(user: Any, key: str, event: str, data: dict) -> dict | None:
    """``post.new``: the post's id, only to those who may see that post now."""
    pk = _int(data.get("id"))
    if event != POST_NEW or pk is None or not _now(user):
        return None
    post = Post.objects.select_related("community").filter(pk=pk, community_id=_int(key)).first()
    if post is None or not _sees_post(user, post):
        return None
    return {"id": post.pk}


def _catch_up_community(user: Any, key: str, after: int) -> list[dict]:
    """The posts published after ``after`` that the person may see, oldest first."""
    community = _community_for(user, key)
    if community is None:
        return []
    ids = (
        Post.objects.filter(permissions.shown_q(user), community=community, id__gt=after)
        .order_by("id")
        .values_list("id", flat=True)[:CATCH_UP_LIMIT]
    )
    return [{"event": POST_NEW, "data": {"id": pk}} for pk in ids]


# --- post:<id> --------------------------------------------------------------------------------


def _authorize_post(user: Any, key: str) -> bool:
    return _post_for(user, key) is not None


def _deliver_post(user: Any, key: str, event: str, data: dict) -> dict | None:
    """``comment.new`` and ``comment.changed``: the comment as this reader's post page shows
    it (``html``), with its thread (``parent``). A comment gone or hidden from them since:
    ``removed``, so a page that shows it takes it away."""
    pk = _int(data.get("id"))
    if event not in (COMMENT_NEW, COMMENT_CHANGED) or pk is None:
        return None
    post = _post_for(user, key)
    if post is None:
        return None
    comment = selectors.comment_visible(user=user, post=post, pk=pk)
    if comment is None:
        return {"id": pk, "removed": True} if event == COMMENT_CHANGED else None
    with _as_seen_by(user):
        return _comment_payload(user, post, [comment])[0]


def _catch_up_post(user: Any, key: str, after: int) -> list[dict]:
    post = _post_for(user, key)
    if post is None:
        return []
    comments, _more = selectors.comments_in_order(
        user=user, post=post, after=after, limit=CATCH_UP_LIMIT
    )
    with _as_seen_by(user):
        return [
            {"event": COMMENT_NEW, "data": payload}
            for payload in _comment_payload(user, post, comments)
        ]


def _comment_payload(user: Any, post: Post, comments: list[Comment]) -> list[dict]:
    """Each comment's ``<li>`` as the post page renders it for ``user`` (the view's
    decoration: linked author, like, edit and delete rights, the reply form)."""
    if not comments:
        return []
    perms = permissions.permissions_for(user, post.community)
    post.can_react = permissions.REACT in perms
    visible = selectors.people_ids_visible_to(user, {c.author_id for c in comments})
    for comment in comments:
        comment.author_linked = comment.author_id in visible
        comment.post = post
        comment.reply_list = []  # a page that shows the thread keeps its replies
        comment.can_edit = permissions.can_edit(user, comment)
        comment.can_delete = permissions.can_delete(user, comment)
    fragments.attach_comment_html(comments)
    shared = {
        "post": post,
        "can_comment": permissions.COMMENT in perms,
        "mentions_url": reverse("communities:mentions", args=[post.community.slug]),
        # The template reads the reader's id for the reply form's token.
        "request": SimpleNamespace(user=user),
        "user": user,
        "csrf_token": CSRF_PLACEHOLDER,
        "focus": False,
    }
    return [
        {
            "id": comment.pk,
            "parent": comment.parent_id,
            "html": render_to_string(
                "communities/_comment.html", {**shared, "comment": comment}
            ).strip(),
        }
        for comment in comments
    ]
