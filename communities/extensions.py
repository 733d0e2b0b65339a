"""Hooks through which an upper app adds to what communities shows, without communities
importing it (STYLE.md: dependencies point down).

An app registers a hook in its ``AppConfig.ready()``. A post hook receives the posts queryset
of every feed (community, home, hashtag, one post) and returns it, typically with one more
annotation (``via``: the integration that wrote the post). A hook must not add a query per
row: annotate with a subquery. A membership-ended hook hears of every membership that stops
granting access (``communities.services.membership_end``); a membership-changed hook hears
of the other steps of the lifecycle (granted, extended, role changed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


# --- When a membership ends -----------------------------------------------------------------


@dataclass(frozen=True)
class MembershipEnded:
    """A membership stopped granting access. ``reason`` is one of ``ENDED_REASONS``;
    ``acting_user`` is None when nobody acted (an end date passed)."""

    membership: Any
    acting_user: Any | None
    reason: str


# left: the person left; removed: a lead removed them; ended: a lead or the sponsor ended a
# guest's access before its end date; expired: the end date passed; erased: the account was
# erased (the right to erasure).
ENDED_REASONS = frozenset({"left", "removed", "ended", "expired", "erased"})

MembershipEndedHook = Callable[[MembershipEnded], None]
_ended_hooks: list[MembershipEndedHook] = []


def register_membership_ended_hook(hook: MembershipEndedHook) -> MembershipEndedHook:
    """An upper app withdraws what the person left open there (a review they were asked
    for, their answers to coming events) or tells someone. Hooks run inside the floor's
    transaction, after the row is written: the policy already refuses the person."""
    if hook not in _ended_hooks:
        _ended_hooks.append(hook)
    return hook


def run_membership_ended_hooks(ended: MembershipEnded) -> None:
    for hook in _ended_hooks:
        hook(ended)


# --- When a membership starts, is extended or changes role ------------------------------------

# granted: it grants access from now on (an invitation accepted, a request approved, an open
# community joined); extended: its end date moved (and it grants access again if it had
# ended); role_changed: a lead made the person lead or member.
CHANGES = frozenset({"granted", "extended", "role_changed"})


@dataclass(frozen=True)
class MembershipChanged:
    """A membership was granted, extended or changed role. ``change`` is one of ``CHANGES``."""

    membership: Any
    acting_user: Any | None
    change: str


MembershipChangedHook = Callable[[MembershipChanged], None]
_changed_hooks: list[MembershipChangedHook] = []


def register_membership_changed_hook(hook: MembershipChangedHook) -> MembershipChangedHook:
    """Like a membership-ended hook, for the other steps of the lifecycle: runs inside the
    floor's transaction, after the row is written and the cached roles forgotten. A hook
    that sends anything (a message, a socket event) does it on commit."""
    if hook not in _changed_hooks:
        _changed_hooks.append(hook)
    return hook


def unregister_membership_changed_hook(hook: MembershipChangedHook) -> None:
    if hook in _changed_hooks:
        _changed_hooks.remove(hook)


def run_membership_changed_hooks(changed: MembershipChanged) -> None:
    for hook in _changed_hooks:
        hook(changed)


# --- Notification kinds and activity verbs ----------------------------------------------------

# The floor lists its own (``Notification.Kind``, ``Activity.Verb``); an upper app registers
# the kinds it notifies of and the verbs it records, each with its label, in its
# ``AppConfig.ready()``. The model fields take these functions as their choices: Django calls
# them when it needs the list (labels, validation), and migrations name the function, so a
# new registration needs no migration.

_notification_kinds: dict[str, Any] = {}
_notification_topics: dict[str, str] = {}
_activity_verbs: dict[str, Any] = {}


def register_notification_kind(value: str, label: Any, topic: str | None = None) -> str:
    """``label`` completes "<actor> …" under the bell ("asks for your review"). ``topic`` is
    the row of the person's channel choices it follows (``communities.notifications.TOPICS``:
    a direct message, a mention, a review request…); a kind without one follows the
    account's digest frequency and is never pushed."""
    _notification_kinds.setdefault(value, label)
    if topic:
        _notification_topics.setdefault(value, topic)
    return value


def notification_topic(kind: str) -> str | None:
    """The channel-choice topic a notification kind follows, or None."""
    return _notification_topics.get(kind)


# A kind whose e-mail says more than the floor's generic one (a guest's access ending, a
# review request): ``builder(notification)`` returns (template prefix, context) for
# ``portal.core.mail.send_templated_email``, or None to send nothing. Called when an
# ``email`` row is sent (``communities.notifications.notification_emails_send``).
NotificationEmail = Callable[[Any], "tuple[str, dict[str, Any]] | None"]
_notification_emails: dict[str, NotificationEmail] = {}


def register_notification_email(kind: str, builder: NotificationEmail) -> None:
    _notification_emails[kind] = builder


def notification_email(kind: str) -> NotificationEmail | None:
    return _notification_emails.get(kind)


def register_activity_verb(value: str, label: Any) -> str:
    """``label`` completes "<actor> …" ("added an event")."""
    _activity_verbs.setdefault(value, label)
    return value


def notification_kinds() -> list[tuple[str, Any]]:
    return list(_notification_kinds.items())


def activity_verbs() -> list[tuple[str, Any]]:
    return list(_activity_verbs.items())
