"""Roles × (route, HTTP method), built from the URL configuration.

Every (route, method) that a view of Parvis's own apps answers must have a row here (the
admin screens our apps register through Wagtail's hooks included): a new route, or a method
that a view starts to accept, without a decision fails ``test_every_route_method_has_a_row``.
The methods a view answers are read from the view itself (see ``declared_methods``).

A cell is checked by its effect, not only by its status code:
- a write that is allowed (2xx, or a redirect that is not to the sign-in page) must change
  what its row's ``effect`` reads in the database, and flash no warning or error;
- a write that is refused (404, 403, 401, 400, 405, 415, the sign-in page, or ``Unchanged``)
  must leave it exactly as it was. ``Unchanged(302)`` marks the few redirects that are not
  refusals of access but change nothing (already done, asks to re-authenticate…).
What a role may not see answers 404 (the same as a missing id), never 403; the Wagtail admin
answers 403 to the signed-in people who may not use it.
"""

from __future__ import annotations

import contextlib
import datetime
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from unittest import mock

import pytest
from django.apps import apps
from django.contrib import messages as django_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from communities import services as cs
from communities.models import Membership, Notification
from communities.notifications import unsubscribe_token
from conversations import services as conversation_services
from documents import services as document_services
from events import services as event_services
from guests import services as guest_services
from guests.bulk import bulk_prepare
from portal.accounts import services
from portal.push import services as push_services
from portal.push.vapid import generate_keys
from tests.factories import GuestFactory, UserFactory
from tests.images import png_bytes
from tests.integrations.matrix import integration

pytestmark = pytest.mark.matrix

OWN_MODULES = (
    "portal.",
    "communities.",
    "guests.",
    "events.",
    "documents.",
    "integrations.",
    "conversations.",
)
# Wagtail's generic views that our admin viewsets register under our own namespaces (add,
# edit, delete, usage): ours to decide too, though their classes are Wagtail's.
OWN_ADMIN_NAMESPACES = (
    "admin_communities",
    "admin_memberships",
    "admin_guests",
    "admin_invitations",
    "admin_events",
    "admin_documents",
    "admin_conversations",
    "digests",
)
ROLES = (
    "anonymous",
    "deactivated",  # was a member of P; the account was erased (the account service)
    "outsider",  # internal, member of none of the communities below
    "member",  # member of the private community P
    "lead",  # lead of P
    "guest_a",  # guest of P (invited, accepted)
    "guest_b",  # guest of another private community Q
    "guest_expired",  # was a guest of P only; the end date has passed
    "guest_revoked",  # was a guest of P (a lead ended the access), still a guest of Q
    "shared",  # outside P; document_P was explicitly shared with them (django-guardian)
    "staff",  # administrator (superuser)
    "archived_member",  # member of X, a private community that was archived
    "other_lead",  # lead of R (active) and of X (archived); in nothing of P's
    "invitee",  # a partner's account holding a pending invitation to P, not accepted
)
LOGIN = "login"  # a redirect to the sign-in page
IGNORED_METHODS = {"options", "head", "trace"}  # answered by Django / DRF for every view


@dataclass(frozen=True)
class Unchanged:
    """An answer that is neither a refusal of access nor a change: nothing in the row's
    ``effect`` may change (an action already done, a form sent back for re-authentication)."""

    status: int
    to: str | None = None  # a redirect's target, by URL name


NOOP = Unchanged(302)
# Wagtail's answer to an administrator on a screen its policy closes to everyone: back to the
# admin's home page, with an error message.
ADMIN_REFUSED = Unchanged(302, to="wagtailadmin_home")


def declared_methods(callback) -> set[str]:
    """The HTTP methods a view answers, read from the view itself:
    - a class-based view (Django, Wagtail, DRF): the handlers it defines among its
      ``http_method_names``;
    - a function view behind ``require_http_methods`` / ``require_POST`` / ``require_GET``:
      the list that decorator closes over (found along the ``__wrapped__`` chain);
    - any other function view answers every method the same way; it has a POST branch when
      its body reads ``request.POST``, ``request.FILES`` or ``request.method``, otherwise a
      POST runs exactly the GET path (and needs no row of its own)."""
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is not None:
        return {m for m in cls.http_method_names if m not in IGNORED_METHODS and hasattr(cls, m)}
    function, inner = callback, callback
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            closure = dict(zip(code.co_freevars, function.__closure__, strict=True))
            allowed = closure["request_method_list"].cell_contents
            return {m.lower() for m in allowed} - IGNORED_METHODS
        inner, function = function, getattr(function, "__wrapped__", None)
    source = inspect.getsource(inner)
    reads_body = re.search(r"request\.(POST|FILES|method)\b", source)
    return {"get", "post"} if reads_body else {"get"}


def own_routes() -> dict[str, set[str]]:
    """Our named routes, each with the methods its view answers."""
    routes: dict[str, set[str]] = {}

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "")
                if module.startswith(OWN_MODULES) or namespace in OWN_ADMIN_NAMESPACES:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    routes[name] = declared_methods(pattern.callback)

    walk(get_resolver().url_patterns, None)
    return routes


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    args: Callable[[dict], list]
    expect: dict[str, int | str | Unchanged]
    data: Callable[[dict], dict] | None = None
    label: str = ""
    # What the action changes, read from the database (any comparable value): required for
    # every method but GET.
    effect: Callable[[dict], object] | None = None
    # A text the page shows in every cell answered 200: the page asked for, not another one.
    shows: str | None = None


def _no_args(world: dict) -> list:
    return []


def E(
    outsider,
    member,
    lead,
    guest_a,
    guest_b,
    staff,
    anonymous=LOGIN,
    shared=None,
    **others,
):
    """Expected answers, by role. A deactivated account is anonymous; an expired or revoked
    guest of P is a guest who was never in P (guest_b), and so, by default, are the person
    document_P was shared with and the holder of a pending invitation to P; the member of an
    archived community and the lead of other communities are outsiders to P. ``others``
    overrides any of these by role name."""
    expect = {
        "shared": guest_b if shared is None else shared,
        "guest_expired": guest_b,
        "guest_revoked": guest_b,
        "invitee": guest_b,
        "anonymous": anonymous,
        "deactivated": anonymous,
        "outsider": outsider,
        "archived_member": outsider,
        "other_lead": outsider,
        "member": member,
        "lead": lead,
        "guest_a": guest_a,
        "guest_b": guest_b,
        "staff": staff,
    }
    assert set(others) <= set(expect), set(others) - set(expect)
    expect.update(others)
    return expect


def A(outsider, member, lead, guest_a, guest_b, staff, shared=None, **others):
    """Expected answers of the REST API (session or token alike): 401 without an account,
    and for a guest left with no community and no shared document (expired, invited only)."""
    expect = E(outsider, member, lead, guest_a, guest_b, staff, anonymous=401, shared=shared)
    expect["guest_expired"] = expect["invitee"] = 401
    expect.update(others)
    return expect


def X(**allowed):
    """Expected answers on X, the archived community: 404 for everyone but ``allowed``."""
    expect = E(404, 404, 404, 404, 404, 404)
    assert set(allowed) <= set(expect), set(allowed) - set(expect)
    expect.update(allowed)
    return expect


def state(model: str, **lookups: Callable[[dict], object] | object) -> Callable[[dict], list]:
    """An effect: every field of the rows of ``model`` matching ``lookups`` (values may be
    functions of the world)."""

    def read(world: dict) -> list:
        where = {k: v(world) if callable(v) else v for k, v in lookups.items()}
        rows = apps.get_model(model)._base_manager.filter(**where).order_by("pk")
        return list(rows.values_list())

    return read


def both(*effects: Callable[[dict], object]) -> Callable[[dict], tuple]:
    return lambda world: tuple(effect(world) for effect in effects)


def w(*path: str) -> Callable[[dict], object]:
    """A value of the world, for ``state`` lookups: ``w("P")``, ``w("users", "lead")``."""

    def get(world: dict) -> object:
        value = world
        for key in path:
            value = value[key]
        return value

    return get


def tampered(token: str) -> str:
    return token[:-2] + ("yy" if token.endswith("xx") else "xx")


def lead_notification(world: dict) -> list:
    return [Notification.objects.get(user=world["users"]["lead"], kind="reply").pk]


def scoped_page(world: dict) -> list:
    """A live page scoped to P (built with the world: publishing a page is slow)."""
    if "scoped_page" not in world:
        from wagtail.models import Page

        from portal.pages.models import StandardPage

        page = StandardPage(title="For P", slug="for-p", community=world["P"])
        Page.objects.get(depth=2, slug="home").add_child(instance=page)
        page.save_revision().publish()
        world["scoped_page"] = page.pk
    return [world["scoped_page"]]


def slug(key):
    return lambda w: [w[key].slug]


def pk(key):
    return lambda w: [w[key].pk]


def pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode(), "application/pdf")


ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:launch@example.org\r\n"
    b"SUMMARY:Launch\r\nDTSTART:21990601T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
# The admin screens our apps register (Wagtail viewsets): namespace, the world's object
# for their per-row views, its model.
ADMIN_SCREENS = [
    ("admin_communities", "P", "communities.Community"),
    ("admin_memberships", "member_of_P", "communities.Membership"),
    ("admin_guests", "guest_a_membership", "communities.Membership"),
    ("admin_invitations", "invitation", "guests.Invitation"),
    ("admin_events", "event_P", "events.Event"),
    ("admin_documents", "document_P", "documents.Document"),
    ("admin_conversations", "conversation_P", "conversations.Conversation"),
    ("digests", "outbox", "communities.DigestOutbox"),
]
OUTBOX = state("communities.DigestOutbox")
MEMBERS_OF_P = state("communities.Membership", community=w("P"))
POSTS_OF_P = state("communities.Post", community=w("P"))
USERS = state("accounts.User")
CONVERSATIONS = state("conversations.Conversation")
MESSAGES = state("conversations.Message")
SEATS = state("conversations.Participant")
PUSH_DEVICES = state("push.PushSubscription")

MATRIX: list[Row] = [
    # --- people ---
    Row("accounts:directory", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "accounts:person",
        "get",
        pk("colleague"),
        E(200, 200, 200, 404, 404, 200),
        label="colleague",
    ),
    # a guest sees the people of their communities, and nobody else
    Row(
        "accounts:person",
        "get",
        pk("member"),
        E(200, 200, 200, 200, 404, 200),
        label="co-member",
        shows="Peter Member",
    ),
    Row(
        "accounts:person",
        "get",
        pk("other_guest"),
        E(404, 404, 404, 404, 404, 404),
        label="stranger guest",
    ),
    Row(
        "accounts:person", "get", pk("guest_a"), E(404, 200, 200, 200, 404, 404), label="guest of P"
    ),
    Row("accounts:photo", "get", pk("colleague"), E(200, 200, 200, 404, 404, 200)),
    Row("accounts:profile_edit", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "accounts:profile_edit",
        "post",
        _no_args,
        E(302, 302, 302, 302, 302, 302),
        data=lambda w: {"display_name": "A new name", "timezone": "Europe/Paris", "language": "en"},
        effect=USERS,
    ),
    Row(
        "accounts:profile_edit",
        "post",
        _no_args,
        E(400, 400, 400, 400, 400, 400),
        data=lambda w: {"display_name": ""},
        label="invalid",
        effect=USERS,
    ),
    Row(
        "accounts:set_language",
        "post",
        _no_args,
        # stored on the account; an anonymous visitor gets a cookie only
        E(302, 302, 302, 302, 302, 302, anonymous=NOOP),
        data=lambda w: {"language": "fr", "next": "/"},
        effect=USERS,
    ),
    # --- communities ---
    Row("communities:feed", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "communities:search",
        "get",
        _no_args,
        E(200, 200, 200, 200, 200, 200),
        data=lambda w: {"q": "plan"},
    ),
    Row("communities:hashtag", "get", lambda w: ["plan"], E(200, 200, 200, 200, 200, 200)),
    Row("communities:list", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("communities:create", "get", _no_args, E(200, 200, 200, 404, 404, 200)),
    Row(
        "communities:create",
        "post",
        _no_args,
        E(302, 302, 302, 404, 404, 302),
        data=lambda w: {"name": "New", "kind": "project", "visibility": "private"},
        effect=state("communities.Community"),
    ),
    Row("communities:detail", "get", slug("P"), E(200, 200, 200, 200, 404, 200), label="private"),
    Row("communities:detail", "get", slug("S"), E(404, 404, 404, 404, 404, 200), label="secret"),
    Row("communities:detail", "get", slug("O"), E(200, 200, 200, 404, 404, 200), label="open"),
    # an archived community stays readable by its members (and its lead)
    Row(
        "communities:detail",
        "get",
        slug("X"),
        E(200, 200, 200, 404, 404, 200),  # as P: internal people see a private community
        label="archived",
    ),
    Row("communities:edit", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    Row(
        "communities:edit",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {
            "name": "P",
            "description": "Changed",
            "kind": "project",
            "visibility": "private",
        },
        effect=state("communities.Community", pk=lambda w: w["P"].pk),
    ),
    Row("communities:archive", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),  # confirm
    Row(
        "communities:archive",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("communities.Community", pk=lambda w: w["P"].pk),
    ),
    Row(
        "communities:join",
        "post",
        slug("P"),
        E(302, NOOP, NOOP, NOOP, 404, 302),
        label="private",
        effect=MEMBERS_OF_P,
    ),
    Row(
        "communities:join",
        "post",
        slug("S"),
        E(404, 404, 404, 404, 404, 404),
        label="secret",
        effect=state("communities.Membership", community=w("S")),
    ),
    Row("communities:leave", "get", slug("P"), E(404, 200, 200, 200, 404, 404)),  # confirm
    Row(
        "communities:leave",
        "post",
        slug("P"),
        E(404, 302, NOOP, 302, 404, 404),  # P's only lead may not leave it (flashed)
        effect=MEMBERS_OF_P,
    ),
    Row("communities:members", "get", slug("P"), E(404, 200, 200, 200, 404, 200)),
    Row(
        "communities:invite",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"email": w["outsider"].email},
        effect=MEMBERS_OF_P,
    ),
    Row(
        "communities:member_action",
        "post",
        lambda w: [w["P"].slug, w["member_of_P"].pk, "promote"],
        E(404, 404, 302, 404, 404, 302),
        effect=MEMBERS_OF_P,
    ),
    Row(
        "communities:member_action",
        "get",
        lambda w: [w["P"].slug, w["member_of_P"].pk, "remove"],
        E(404, 404, 200, 404, 404, 200),
        label="confirm removal",
    ),
    Row(
        "communities:member_action",
        "get",
        lambda w: [w["P"].slug, w["member_of_P"].pk, "promote"],
        E(404, 404, 404, 404, 404, 404),
        label="no confirmation",
    ),
    # a colleague's pending invitation into a community (nobody here holds one to P)
    Row("communities:invitation", "get", slug("P"), E(404, 404, 404, 404, 404, 404)),
    Row(
        "communities:invitation",
        "post",
        slug("P"),
        E(404, 404, 404, 404, 404, 404),
        data=lambda w: {"accept": "1"},
        effect=MEMBERS_OF_P,
    ),
    Row(
        "communities:mentions",
        "get",
        slug("P"),
        E(404, 200, 200, 200, 404, 200),
        data=lambda w: {"q": "Pe"},
    ),
    Row(
        "communities:post_create",
        "post",
        slug("P"),
        E(404, 302, 302, 404, 404, 404),
        data=lambda w: {"body": "Hello"},
        effect=POSTS_OF_P,
    ),
    # the members of an archived community read it, and no longer write in it
    Row(
        "communities:post_create",
        "post",
        slug("X"),
        X(),
        data=lambda w: {"body": "Hello"},
        label="archived",
        effect=state("communities.Post", community=w("X")),
    ),
    Row(
        "communities:post",
        "get",
        pk("post_P"),
        E(404, 200, 200, 200, 404, 200),
        label="private",
        shows="The plan",
    ),
    Row("communities:post", "get", pk("post_S"), E(404, 404, 404, 404, 404, 200), label="secret"),
    Row("communities:post", "get", pk("post_O"), E(200, 200, 200, 404, 404, 200), label="open"),
    Row(
        "communities:post",
        "get",
        pk("post_X"),
        X(archived_member=200, other_lead=200, staff=200),
        label="archived",
        shows="Archived",
    ),
    Row("communities:post_edit", "get", pk("post_P"), E(404, 404, 200, 404, 404, 404)),
    Row(
        "communities:post_edit",
        "post",
        pk("post_P"),
        E(404, 404, 302, 404, 404, 404),
        data=lambda w: {"body": "The plan, revised"},
        effect=POSTS_OF_P,
    ),
    Row(
        "communities:post_delete",
        "post",
        pk("post_P"),
        E(404, 404, 302, 404, 404, 302),
        effect=POSTS_OF_P,
    ),
    Row(
        "communities:post_like",
        "post",
        pk("post_P"),
        E(404, 302, 302, 302, 404, 404),
        effect=state("communities.PostLike", post=w("post_P")),
    ),
    Row(
        "communities:post_like",
        "post",
        pk("post_X"),
        X(),
        label="archived",
        effect=state("communities.PostLike", post=w("post_X")),
    ),
    Row(
        "communities:post_moderate",
        "post",
        lambda w: [w["post_P"].pk, "pin"],
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"on": "1"},
        effect=POSTS_OF_P,
    ),
    Row(
        "communities:comment_create",
        "post",
        pk("post_P"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"body": "Hi"},
        effect=state("communities.Comment", post=w("post_P")),
    ),
    Row(
        "communities:comment_create",
        "post",
        pk("post_X"),
        X(),
        data=lambda w: {"body": "Hi"},
        label="archived",
        effect=state("communities.Comment", post=w("post_X")),
    ),
    Row(
        "communities:comment_delete",
        "post",
        pk("comment_P"),
        E(404, 302, 302, 404, 404, 302),
        effect=state("communities.Comment", post=w("post_P")),
    ),
    Row(
        "communities:comment_like",
        "post",
        pk("comment_P"),
        E(404, 302, 302, 302, 404, 404),
        effect=state("communities.CommentLike", comment=w("comment_P")),
    ),
    Row(
        "communities:comment_like",
        "post",
        pk("comment_X"),
        X(),
        label="archived",
        effect=state("communities.CommentLike", comment=w("comment_X")),
    ),
    Row("communities:comment_edit", "get", pk("comment_P"), E(404, 200, 404, 404, 404, 404)),
    Row(
        "communities:comment_edit",
        "post",
        pk("comment_P"),
        E(404, 302, 404, 404, 404, 404),
        data=lambda w: {"body": "Agreed, with a change"},
        effect=state("communities.Comment", post=w("post_P")),
    ),
    Row("communities:attachment", "get", pk("attachment_P"), E(404, 200, 200, 200, 404, 200)),
    Row("communities:cover", "get", slug("P"), E(200, 200, 200, 200, 404, 200), label="private"),
    Row("communities:cover", "get", slug("S"), E(404, 404, 404, 404, 404, 200), label="secret"),
    # --- the adoption report (Wagtail admin): administrators only; the others signed in get
    # "no access" (Wagtail's redirect to the sign-in page looped back to the admin) ---
    Row("adoption_report", "get", _no_args, E(403, 403, 403, 403, 403, 200)),
    # --- the living style guide: administrators only (or DEBUG, off here); a page that does
    # not exist for everybody else, the signed-out included ---
    Row(
        "styleguide",
        "get",
        _no_args,
        E(404, 404, 404, 404, 404, 200, anonymous=404),
        shows="Style guide",
    ),
    # --- the installable app (portal/pwa.py): the same files for everyone, signed out too ---
    Row(
        "pwa_manifest",
        "get",
        _no_args,
        E(200, 200, 200, 200, 200, 200, anonymous=200),
        shows="standalone",
    ),
    Row(
        "pwa_service_worker",
        "get",
        _no_args,
        E(200, 200, 200, 200, 200, 200, anonymous=200),
        shows="notificationclick",
    ),
    Row(
        "pwa_offline",
        "get",
        _no_args,
        E(200, 200, 200, 200, 200, 200, anonymous=200),
        shows="You are offline",
    ),
    # --- publish a scoped page to its community (Wagtail admin): who may publish the page ---
    Row("publish_to_community", "get", scoped_page, E(403, 403, 403, 403, 403, 200)),
    Row(
        "publish_to_community",
        "post",
        scoped_page,
        E(403, 403, 403, 403, 403, 302),
        effect=POSTS_OF_P,
    ),
    # --- notifications and digests (everyone signed in has their own) ---
    Row("communities:notifications", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("communities:notification_bell", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "communities:notification_open",
        "get",
        lead_notification,
        E(404, 404, 302, 404, 404, 404),  # the lead's: a reply to their post
    ),
    # marks one's own notifications read: only those who have unread ones see a change
    Row(
        "communities:notifications_read_all",
        "post",
        _no_args,
        E(NOOP, 302, 302, 302, NOOP, NOOP, archived_member=302),
        effect=state("communities.Notification"),
    ),
    Row("communities:notification_settings", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "communities:notification_settings",
        "post",
        _no_args,
        E(302, 302, 302, 302, 302, 302),
        data=lambda w: {
            "account": "weekly",
            "topic_message": "push",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
        },
        effect=both(
            state("communities.DigestPreference"),
            state("communities.NotificationChoice"),
            state("accounts.User", is_active=True, quiet_hours_start__isnull=False),
        ),
    ),
    Row("communities:digest_preview", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    # --- push notifications: everyone signed in turns push on for their own devices ---
    Row("push:devices", "get", _no_args, E(200, 200, 200, 200, 200, 200), shows="push-on"),
    Row(
        "push:subscribe",
        "post",
        _no_args,
        E(201, 201, 201, 201, 201, 201),
        data=lambda w: w["push_new_browser"],
        effect=PUSH_DEVICES,
    ),
    # the member's browser: only the member turns it off; for others nothing changes
    Row(
        "push:unsubscribe",
        "post",
        _no_args,
        E(Unchanged(200), 200, Unchanged(200), Unchanged(200), Unchanged(200), Unchanged(200)),
        data=lambda w: {"endpoint": w["push_member"].endpoint},
        effect=PUSH_DEVICES,
    ),
    Row(
        "push:remove",
        "post",
        lambda w: [w["push_member"].pk],
        E(404, 302, 404, 404, 404, 404),
        effect=PUSH_DEVICES,
    ),
    # The signed token is the credential: anyone holding the link sees the page, and its
    # button (or a mail client's one-click POST) unsubscribes the token's owner.
    Row(
        "communities:unsubscribe",
        "get",
        lambda w: [unsubscribe_token(w["member"])],
        E(200, 200, 200, 200, 200, 200, anonymous=200),
    ),
    Row(
        "communities:unsubscribe",
        "post",
        lambda w: [unsubscribe_token(w["member"])],
        E(200, 200, 200, 200, 200, 200, anonymous=200),
        effect=state("communities.DigestPreference"),
    ),
    Row(
        "communities:unsubscribe",
        "get",
        lambda w: [tampered(unsubscribe_token(w["member"]))],
        E(404, 404, 404, 404, 404, 404, anonymous=404),
        label="tampered",
    ),
    Row(
        "communities:unsubscribe",
        "post",
        lambda w: [tampered(unsubscribe_token(w["member"]))],
        E(404, 404, 404, 404, 404, 404, anonymous=404),
        label="tampered",
        effect=state("communities.DigestPreference"),
    ),
    # --- documents ---
    Row("documents:list", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("documents:library", "get", slug("P"), E(404, 200, 200, 200, 404, 200)),
    # the upload forms live on the library and document pages: their addresses take POST only
    Row("documents:upload", "get", slug("P"), E(404, 404, 404, 404, 404, 404)),
    Row(
        "documents:upload",
        "post",
        slug("P"),
        E(404, 302, 302, 404, 404, 404),
        data=lambda w: {"files": pdf("minutes.pdf")},
        effect=state("documents.Document", community=w("P")),
    ),
    Row(
        "documents:upload",
        "post",
        slug("X"),
        X(),
        data=lambda w: {"files": pdf("minutes.pdf")},
        label="archived",
        effect=state("documents.Document", community=w("X")),
    ),
    Row(
        "documents:detail",
        "get",
        pk("document_P"),
        E(404, 200, 200, 200, 404, 200, shared=200),
        shows="charter",
    ),
    Row(
        "documents:detail",
        "get",
        pk("document_P2"),
        E(404, 200, 200, 200, 404, 200),
        label="not shared",
    ),
    Row("documents:version_upload", "get", pk("document_P"), E(404, 404, 404, 404, 404, 404)),
    Row(
        "documents:version_upload",
        "post",
        pk("document_P"),
        E(404, 302, 302, 404, 404, 404),
        data=lambda w: {"file": pdf("charter-v2.pdf")},
        effect=state("documents.DocumentVersion", document=w("document_P")),
    ),
    Row(
        "documents:delete",
        "post",
        pk("document_P2"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("documents.Document", community=w("P")),
    ),
    # under review: nobody deletes it (the v1 matrix took this refusal's redirect for a delete)
    Row(
        "documents:delete",
        "post",
        pk("document_P"),
        E(404, 404, NOOP, 404, 404, NOOP),
        label="under review",
        effect=state("documents.Document", community=w("P")),
    ),
    Row("documents:download", "get", pk("version_P"), E(404, 200, 200, 200, 404, 200, shared=200)),
    Row(
        "documents:share",
        "post",
        pk("document_P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"email": w["users"]["guest_b"].email},
        effect=state("documents.DocumentUserObjectPermission"),
    ),
    Row(
        "documents:unshare",
        "post",
        lambda w: [w["document_P"].pk, w["users"]["shared"].pk],
        E(404, 404, 302, 404, 404, 302),
        effect=state("documents.DocumentUserObjectPermission"),
    ),
    Row("documents:my_reviews", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "documents:review_request",
        "post",
        pk("document_P2"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"due_on": "2999-01-01", "reviewers": [w["member"].pk]},
        effect=state("documents.ReviewRequest"),
    ),
    Row(
        "documents:review_decide",
        "post",
        pk("review_P"),
        E(404, 302, 404, 302, 404, 404),
        data=lambda w: {"decision": "approve"},
        effect=state("documents.Reviewer"),
    ),
    Row(
        "documents:review_comment",
        "post",
        pk("review_P"),
        E(404, 302, 302, 302, 404, 302),
        data=lambda w: {"body": "Remark"},
        effect=state("documents.ReviewComment"),
    ),
    Row(
        "documents:review_withdraw",
        "post",
        pk("review_P"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("documents.ReviewRequest"),
    ),
    Row(
        "documents:review_trail", "get", pk("review_P"), E(404, 200, 200, 200, 404, 200, shared=200)
    ),
    # --- events (the calendar) ---
    Row("events:calendar", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("events:community", "get", slug("P"), E(404, 200, 200, 200, 404, 200)),
    Row("events:create", "get", slug("P"), E(404, 404, 200, 404, 404, 404)),
    Row(
        "events:create",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 404),
        data=lambda w: {
            "title": "Kick-off",
            "start_date": "2199-04-01",
            "all_day": "on",
            "tz": "Europe/Paris",
        },
        effect=state("events.Event", community=w("P")),
    ),
    Row("events:create", "get", slug("X"), X(), label="archived"),
    Row(
        "events:create",
        "post",
        slug("X"),
        X(),
        data=lambda w: {
            "title": "Kick-off",
            "start_date": "2199-04-01",
            "all_day": "on",
            "tz": "Europe/Paris",
        },
        label="archived",
        effect=state("events.Event", community=w("X")),
    ),
    Row(
        "events:detail",
        "get",
        pk("event_P"),
        E(404, 200, 200, 200, 404, 200),
        shows="Steering committee",
    ),
    Row(
        "events:detail",
        "get",
        pk("event_X"),
        X(archived_member=200, other_lead=200, staff=200),
        label="archived",
        shows="Last meeting",
    ),
    Row("events:ics", "get", pk("event_P"), E(404, 200, 200, 200, 404, 200)),
    Row("events:edit", "get", pk("event_P"), E(404, 404, 200, 404, 404, 200)),
    Row(
        "events:edit",
        "post",
        pk("event_P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {
            "title": "Steering committee (moved)",
            "start_date": "2199-03-02",
            "all_day": "on",
            "tz": "Europe/Paris",
            "freq": "monthly",
            "count": "12",
        },
        effect=state("events.Event", community=w("P")),
    ),
    Row(
        "events:cancel",
        "post",
        pk("event_P"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("events.Event", community=w("P")),
    ),
    Row(
        "events:invite",
        "post",
        pk("event_P"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("communities.Notification"),
    ),
    Row(
        "events:rsvp",
        "post",
        pk("event_P"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"answer": "yes"},
        effect=state("events.RSVP"),
    ),
    Row(
        "events:rsvp",
        "post",
        pk("event_X"),
        X(),
        data=lambda w: {"answer": "yes"},
        label="archived",
        effect=state("events.RSVP"),
    ),
    Row("events:import", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    Row(
        "events:import",
        "post",
        slug("P"),
        E(404, 404, 200, 404, 404, 200),  # the preview, to confirm
        data=lambda w: {"file": SimpleUploadedFile("agenda.ics", ICS, "text/calendar")},
        effect=state("events.CalendarImport"),
    ),
    Row(
        "events:import_confirm",
        "post",
        lambda w: [w["P"].slug, w["import_P"].pk],
        E(404, 404, 302, 404, 404, 404),
        effect=state("events.Event", community=w("P")),
    ),
    Row("events:feeds", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "events:feeds",
        "post",
        _no_args,
        E(404, 302, 302, 302, 404, 302),
        data=lambda w: {"community": w["P"].slug},
        label="new feed of P",
        effect=state("events.CalendarFeed"),
    ),
    # only its owner (guest_a) rotates or revokes a feed
    Row(
        "events:feed_rotate",
        "post",
        pk("feed_A"),
        E(404, 404, 404, 302, 404, 404),
        effect=state("events.CalendarFeed"),
    ),
    Row(
        "events:feed_revoke",
        "post",
        pk("feed_A"),
        E(404, 404, 404, 302, 404, 404),
        effect=state("events.CalendarFeed"),
    ),
    # a feed answers its token, whoever asks; it shows what its owner may see now
    Row(
        "events:feed",
        "get",
        lambda w: [w["feed_A"].pk, w["feed_A_token"]],
        E(200, 200, 200, 200, 200, 200, anonymous=200, shared=200),
        label="guest of P",
    ),
    Row(
        "events:feed",
        "post",
        lambda w: [w["feed_A"].pk, w["feed_A_token"]],
        E(404, 404, 404, 404, 404, 404, anonymous=404, shared=404),
        label="guest of P",
        effect=state("events.CalendarFeed"),
    ),
    Row(
        "events:feed",
        "get",
        lambda w: [w["feed_expired"].pk, w["feed_expired_token"]],
        E(404, 404, 404, 404, 404, 404, anonymous=404, shared=404),
        label="expired guest",
    ),
    Row(
        "events:feed",
        "get",
        lambda w: [w["feed_A"].pk, "not-the-token"],
        E(404, 404, 404, 404, 404, 404, anonymous=404, shared=404),
        label="bad token",
    ),
    # --- guests ---
    Row("guests:invitations", "get", _no_args, E(404, 404, 200, 404, 404, 200, other_lead=200)),
    Row("guests:invite", "get", _no_args, E(404, 404, 200, 404, 404, 200, other_lead=200)),
    Row(
        "guests:invite",
        "post",
        _no_args,
        # the lead of R may invite, but not into P (not among their choices: the form)
        E(404, 404, 302, 404, 404, 302, other_lead=400),
        data=lambda w: {"email": "new@funder.example", "role": "guest", "communities": [w["P"].pk]},
        effect=state("guests.Invitation"),
    ),
    Row(
        "guests:invite",
        "post",
        _no_args,
        # the e-mail's preview: shown to who may invite, nothing stored (nor sent)
        E(404, 404, Unchanged(200), 404, 404, Unchanged(200), other_lead=400),
        data=lambda w: {
            "email": "new@funder.example",
            "role": "guest",
            "communities": [w["P"].pk],
            "preview": "1",
        },
        label="preview",
        effect=state("guests.Invitation"),
        shows="Preview of the e-mail",
    ),
    Row("guests:bulk_upload", "get", _no_args, E(404, 404, 200, 404, 404, 200, other_lead=200)),
    Row(
        "guests:bulk_upload",
        "post",
        _no_args,
        # the lead of R gets the preview too, its line for P marked as refused
        E(404, 404, 302, 404, 404, 302, other_lead=302),
        data=lambda w: {
            "file": SimpleUploadedFile(
                "guests.csv", b"email;communities\ny@funder.example;P\n", "text/csv"
            )
        },
        effect=state("guests.BulkInvitation"),
    ),
    Row("guests:bulk", "get", pk("bulk"), E(404, 404, 200, 404, 404, 404)),
    Row(
        "guests:bulk_confirm",
        "post",
        pk("bulk"),
        E(404, 404, 302, 404, 404, 404),
        effect=state("guests.BulkInvitation"),
    ),
    Row(
        "guests:invitation_action",
        "post",
        lambda w: [w["invitation"].pk, "resend"],
        E(404, 404, 302, 404, 404, 302),
        effect=state("guests.Invitation"),
    ),
    # someone else's invitation: anonymous visitors are sent to sign up, accounts refused
    Row(
        "guests:accept",
        "get",
        lambda w: [w["token"]],
        E(403, 403, 403, 403, 403, 403, anonymous=302),
    ),
    Row(
        "guests:accept",
        "post",
        lambda w: [w["token"]],
        E(403, 403, 403, 403, 403, 403, anonymous=NOOP),  # to the sign-up form
        effect=both(state("guests.Invitation"), MEMBERS_OF_P),
    ),
    # one's own invitation: its holder sees it and accepts it
    Row(
        "guests:accept",
        "get",
        lambda w: [w["invitee_token"]],
        E(403, 403, 403, 403, 403, 403, anonymous=200, invitee=200),
        label="the invitee's",
    ),
    Row(
        "guests:accept",
        "post",
        lambda w: [w["invitee_token"]],
        # signed out, the holder of an account is asked to sign in first
        E(403, 403, 403, 403, 403, 403, anonymous=Unchanged(200), invitee=302),
        label="the invitee's",
        effect=both(state("guests.Invitation"), MEMBERS_OF_P),
    ),
    Row(
        "guests:accept",
        "get",
        lambda w: ["not-a-token"],
        E(404, 404, 404, 404, 404, 404, anonymous=404),
        label="bad token",
    ),
    Row(
        "guests:accept",
        "post",
        lambda w: ["not-a-token"],
        E(404, 404, 404, 404, 404, 404, anonymous=404),
        label="bad token",
        effect=both(state("guests.Invitation"), MEMBERS_OF_P),
    ),
    Row("guests:guest", "get", pk("guest_a"), E(404, 404, 200, 200, 404, 200), shows="Guest A"),
    Row(
        "guests:guest_access",
        "post",
        lambda w: [w["guest_a"].pk, w["guest_a_membership"].pk, "end"],
        E(404, 404, 302, 404, 404, 302),
        effect=MEMBERS_OF_P,
    ),
    Row(
        "guests:guest_access",
        "get",
        lambda w: [w["guest_a"].pk, w["guest_a_membership"].pk, "end"],
        E(404, 404, 200, 404, 404, 200),
        label="confirm",
    ),
    Row("guests:my_access", "get", _no_args, E(404, 404, 404, 302, 302, 404)),
    Row(
        "guests:community_guests",
        "get",
        slug("P"),
        E(404, 404, 200, 404, 404, 200),
        shows="Guest A",
    ),
    # the lead of an archived community: its guest list, and ending a guest's access
    Row(
        "guests:community_guests",
        "get",
        slug("X"),
        X(other_lead=200, staff=200),
        label="archived",
        shows="Xavier Guest",
    ),
    Row(
        "guests:guest_access",
        "get",
        lambda w: [w["guest_x"].pk, w["guest_x_membership"].pk, "end"],
        X(other_lead=200, staff=200),
        label="archived confirm",
    ),
    Row(
        "guests:guest_access",
        "post",
        lambda w: [w["guest_x"].pk, w["guest_x_membership"].pk, "end"],
        X(other_lead=302, staff=302),
        label="archived",
        effect=state("communities.Membership", community=w("X")),
    ),
    # --- integrations: a community's webhooks and feeds (its leads) ---
    Row("integrations:community", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    # an administrator manages P but cannot post there, so cannot set up an integration
    Row(
        "integrations:webhook_create",
        "post",
        slug("P"),
        E(404, 404, 200, 404, 404, 400),
        data=lambda w: {"name": "CRM"},
        effect=state("integrations.Webhook"),
    ),
    Row(
        "integrations:webhook_revoke",
        "post",
        integration("webhook"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("integrations.Webhook"),
    ),
    Row(
        "integrations:feed_create",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 400),
        data=lambda w: {"name": "Blog", "url": "https://blog.example.org/feed"},
        effect=state("integrations.Feed"),
    ),
    Row(
        "integrations:feed_action",
        "post",
        integration("feed", "pause"),
        E(404, 404, 302, 404, 404, 302),
        effect=state("integrations.Feed"),
    ),
    # the webhook answers its token, whoever calls; a form body is refused (JSON only)
    Row(
        "integrations:webhook",
        "post",
        integration("webhook_token"),
        E(415, 415, 415, 415, 415, 415, anonymous=415, shared=415),
        data=lambda w: {"text": "Deal signed"},
        effect=POSTS_OF_P,
    ),
    Row(
        "integrations:webhook",
        "post",
        lambda w: ["not-the-token"],
        E(404, 404, 404, 404, 404, 404, anonymous=404, shared=404),
        label="bad token",
        effect=POSTS_OF_P,
    ),
    # personal API tokens: everyone signed in; only its owner (guest_a) revokes one
    Row("integrations:api_tokens", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "integrations:api_tokens",
        "post",
        _no_args,
        E(200, 200, 200, 200, 200, 200),
        data=lambda w: {"name": "script", "scope": "read"},
        effect=state("integrations.ApiToken"),
    ),
    Row(
        "integrations:api_token_revoke",
        "post",
        integration("api_token"),
        E(404, 404, 404, 302, 404, 404),
        effect=state("integrations.ApiToken"),
    ),
    # --- the REST API (/api/v1/) ---
    Row("api:me", "get", _no_args, A(200, 200, 200, 200, 200, 200, shared=200)),
    Row("api:communities", "get", _no_args, A(200, 200, 200, 200, 200, 200, shared=200)),
    Row("api:community", "get", slug("P"), A(404, 200, 200, 200, 404, 200), label="private"),
    Row("api:community", "get", slug("S"), A(404, 404, 404, 404, 404, 200), label="secret"),
    Row("api:community", "get", slug("O"), A(200, 200, 200, 404, 404, 200), label="open"),
    Row("api:posts", "get", slug("P"), A(404, 200, 200, 200, 404, 200)),
    Row(
        "api:posts",
        "post",
        slug("P"),
        A(404, 201, 201, 404, 404, 404),
        data=lambda w: {"body": "Hello"},
        effect=POSTS_OF_P,
    ),
    Row(
        "api:posts",
        "post",
        slug("X"),
        A(404, 404, 404, 404, 404, 404),
        data=lambda w: {"body": "Hello"},
        label="archived",
        effect=state("communities.Post", community=w("X")),
    ),
    Row("api:post", "get", pk("post_P"), A(404, 200, 200, 200, 404, 200), label="private"),
    Row("api:post", "get", pk("post_S"), A(404, 404, 404, 404, 404, 200), label="secret"),
    Row("api:comments", "get", pk("post_P"), A(404, 200, 200, 200, 404, 200)),
    Row(
        "api:comments",
        "post",
        pk("post_P"),
        A(404, 201, 201, 201, 404, 404),
        data=lambda w: {"body": "Hi"},
        effect=state("communities.Comment", post=w("post_P")),
    ),
    Row(
        "api:comments",
        "post",
        pk("post_X"),
        A(404, 404, 404, 404, 404, 404),
        data=lambda w: {"body": "Hi"},
        label="archived",
        effect=state("communities.Comment", post=w("post_X")),
    ),
    Row("api:documents", "get", slug("P"), A(404, 200, 200, 200, 404, 200)),
    Row("api:document", "get", pk("document_P"), A(404, 200, 200, 200, 404, 200, shared=200)),
    Row(
        "api:document",
        "get",
        pk("document_P2"),
        A(404, 200, 200, 200, 404, 200),
        label="not shared",
    ),
    Row(
        "api:version_upload",
        "post",
        pk("document_P"),
        A(404, 201, 201, 404, 404, 404),
        data=lambda w: {"file": pdf("charter.pdf")},
        effect=state("documents.DocumentVersion", document=w("document_P")),
    ),
    Row(
        "api:version_download",
        "get",
        pk("version_P"),
        A(404, 200, 200, 200, 404, 200, shared=200),
    ),
    Row("api:events", "get", slug("P"), A(404, 200, 200, 200, 404, 200)),
    Row(
        "api:rsvp",
        "post",
        integration("event"),
        A(404, 200, 200, 200, 404, 404),
        data=lambda w: {"answer": "yes"},
        effect=state("events.RSVP"),
    ),
    Row(
        "api:rsvp",
        "post",
        pk("event_X"),
        A(404, 404, 404, 404, 404, 404),
        data=lambda w: {"answer": "yes"},
        label="archived",
        effect=state("events.RSVP"),
    ),
    # --- conversations (issue 18): a direct one (member and lead), a group (lead, member,
    # guest_a), P's chat; what a role may not read answers 404 ---
    Row("conversations:list", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("conversations:unread", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("conversations:start", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    # writing to the member: whoever may see them; not themself, not a guest elsewhere
    Row(
        "conversations:start",
        "post",
        _no_args,
        E(302, 400, 302, 302, 400, 302, shared=400),
        data=lambda w: {"people": [w["member"].pk], "body": "Hello"},
        effect=both(CONVERSATIONS, MESSAGES),
    ),
    Row(
        "conversations:detail",
        "get",
        pk("direct"),
        E(404, 200, 200, 404, 404, 404),
        label="direct",
        shows="Hello lead",
    ),
    Row(
        "conversations:detail",
        "get",
        pk("group"),
        E(404, 200, 200, 200, 404, 404),
        label="group",
        shows="Steering",
    ),
    Row(
        "conversations:detail",
        "get",
        pk("chat_P"),
        E(404, 200, 200, 200, 404, 200),
        label="chat",
        shows="Chat hello",
    ),
    Row(
        "conversations:send",
        "post",
        pk("direct"),
        E(404, 302, 302, 404, 404, 404),
        data=lambda w: {"body": "More"},
        label="direct",
        effect=MESSAGES,
    ),
    # a community chat: every member writes, guests too; an administrator reads only
    Row(
        "conversations:send",
        "post",
        pk("chat_P"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"body": "More"},
        label="chat",
        effect=MESSAGES,
    ),
    Row(
        "conversations:send",
        "post",
        pk("direct"),
        E(404, NOOP, NOOP, 404, 404, 404),  # back to the box with the reason; nothing stored
        data=lambda w: {"body": "   "},
        label="empty",
        effect=MESSAGES,
    ),
    Row("conversations:people_add", "get", pk("group"), E(404, 200, 200, 200, 404, 404)),
    # the colleague: internal people may write to them, a guest of P may not see them
    Row(
        "conversations:people_add",
        "post",
        pk("group"),
        E(404, 302, 302, 400, 404, 404),
        data=lambda w: {"people": [w["colleague"].pk]},
        effect=SEATS,
    ),
    Row("conversations:leave", "get", pk("direct"), E(404, 200, 200, 404, 404, 404)),
    Row(
        "conversations:leave",
        "post",
        pk("direct"),
        E(404, 302, 302, 404, 404, 404),
        effect=SEATS,
    ),
    Row(
        "conversations:rename",
        "post",
        pk("group"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"title": "Renamed"},
        effect=state("conversations.Conversation", pk=lambda w: w["group"].pk),
    ),
    Row(
        "conversations:mute",
        "post",
        pk("direct"),
        E(404, 302, 302, 404, 404, 404),
        data=lambda w: {"on": "1"},
        effect=SEATS,
    ),
    # the lead wrote last: only the member has something left to read
    Row(
        "conversations:read",
        "post",
        pk("direct"),
        E(404, 302, NOOP, 404, 404, 404),
        effect=SEATS,
    ),
    Row(
        "conversations:message_edit",
        "get",
        pk("direct_message"),
        E(404, 200, 404, 404, 404, 404),
    ),
    Row(
        "conversations:message_edit",
        "post",
        pk("direct_message"),
        E(404, 302, 404, 404, 404, 404),
        data=lambda w: {"body": "Hello again"},
        effect=MESSAGES,
    ),
    # the member's message in P's chat: its author, and P's moderators
    Row(
        "conversations:message_delete",
        "get",
        pk("chat_message"),
        E(404, 200, 200, 404, 404, 200),
    ),
    Row(
        "conversations:message_delete",
        "post",
        pk("chat_message"),
        E(404, 302, 302, 404, 404, 302),
        effect=MESSAGES,
    ),
    Row(
        "conversations:message_react",
        "post",
        pk("chat_message"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"emoji": "👍"},
        effect=state("conversations.MessageReaction"),
    ),
    Row(
        "conversations:message_pin",
        "post",
        pk("chat_message"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"on": "1"},
        effect=MESSAGES,
    ),
    Row("conversations:attachment", "get", pk("direct_file"), E(404, 200, 200, 404, 404, 404)),
    Row("conversations:community_chat", "get", slug("P"), E(404, 302, 302, 302, 404, 302)),
    Row(
        "conversations:community_chat_settings",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"on": "0"},
        effect=state("conversations.Conversation", pk=lambda w: w["chat_P"].pk),
    ),
    # --- your data (GDPR): everyone signed in, for their own account only ---
    Row("accounts:privacy", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("accounts:privacy_export", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    # erasure asks for the password again first (allauth's re-authentication)
    Row(
        "accounts:privacy_erase",
        "post",
        _no_args,
        E(NOOP, NOOP, NOOP, NOOP, NOOP, NOOP),
        data=lambda w: {"confirmation": "not-my-address@example.org"},
        effect=USERS,
    ),
    # --- anyone's data (Wagtail admin): administrators only ---
    Row("accounts_admin_privacy", "get", pk("member"), E(403, 403, 403, 403, 403, 200)),
    Row("accounts_admin_privacy_export", "get", pk("member"), E(403, 403, 403, 403, 403, 200)),
    Row(
        "accounts_admin_privacy_erase",
        "post",
        pk("member"),
        E(403, 403, 403, 403, 403, 400),  # a wrong confirmation: nothing is erased
        data=lambda w: {"confirmation": "not-their-address@example.org"},
        effect=USERS,
    ),
    # --- the admin screens (Wagtail admin, issue 9): administrators only; anyone else signed
    # in gets "no access" (guests too: they never reach the admin) ---
    *[
        Row(f"{namespace}:{view}", "get", args, E(403, 403, 403, 403, 403, staff))
        for namespace, key, _model in ADMIN_SCREENS
        for view, args, staff in [
            ("index", _no_args, 200),
            ("index_results", _no_args, 200),
            ("inspect", pk(key), 200),
            ("history", pk(key), 200),
            ("history_results", pk(key), 200),
            # where a row is referenced: closed by ReadOnlyPolicy, open on the outbox
            ("usage", pk(key), 200 if namespace == "digests" else ADMIN_REFUSED),
        ]
    ],
    # Wagtail's add / edit / delete screens exist in every viewset, and nobody, superusers
    # included, uses them: the services keep these rows consistent
    *[
        Row(
            f"{namespace}:{view}",
            method,
            args,
            E(403, 403, 403, 403, 403, ADMIN_REFUSED),
            data=(lambda w: {"name": "Changed"}) if method == "post" else None,
            effect=state(model) if method != "get" else None,
        )
        for namespace, key, model in ADMIN_SCREENS
        if namespace != "digests"
        for view, args, methods in [
            ("add", _no_args, ("get", "post", "put")),
            ("edit", pk(key), ("get", "post", "put")),
            ("delete", pk(key), ("get", "post", "delete")),
        ]
        for method in methods
    ],
    # the digest outbox: an administrator sets a failed digest back to pending (its only
    # form field), or deletes a row; the others signed in get "no access"
    # nobody adds a row (the digest run makes them): administrators are sent back to the
    # admin's home, as on the read-only screens
    *[
        Row(
            "digests:add",
            method,
            _no_args,
            E(403, 403, 403, 403, 403, ADMIN_REFUSED),
            data=(lambda w: {"status": "pending"}) if method == "post" else None,
            effect=OUTBOX if method != "get" else None,
        )
        for method in ("get", "post", "put")
    ],
    Row("digests:edit", "get", pk("outbox"), E(403, 403, 403, 403, 403, 200)),
    Row(
        "digests:edit",
        "post",
        pk("outbox"),
        E(403, 403, 403, 403, 403, 302),
        data=lambda w: {"status": "failed"},
        effect=OUTBOX,
    ),
    Row(
        "digests:edit",
        "put",
        pk("outbox"),
        E(403, 403, 403, 403, 403, Unchanged(200)),
        effect=OUTBOX,
    ),
    Row("digests:delete", "get", pk("outbox"), E(403, 403, 403, 403, 403, 200)),
    *[
        Row("digests:delete", method, pk("outbox"), E(403, 403, 403, 403, 403, 302), effect=OUTBOX)
        for method in ("post", "delete")
    ],
    # a conversation exported for legal hold (issue 18): administrators only, with a reason,
    # and the export is written to the audit log
    Row(
        "conversations_admin_legal_hold",
        "get",
        pk("conversation_P"),
        E(403, 403, 403, 403, 403, 200),
    ),
    Row(
        "conversations_admin_legal_hold",
        "post",
        pk("conversation_P"),
        E(403, 403, 403, 403, 403, 200),
        data=lambda w: {"reason": "Court order 2026-114"},
        effect=state("wagtailcore.ModelLogEntry", action="conversations.legal_hold_export"),
    ),
]


def test_every_route_method_has_a_row():
    """A new route, or a method a view starts to answer, without a decision fails here."""
    routes = own_routes()
    declared = {(route, method) for route, methods in routes.items() for method in methods}
    decided = {(row.route, row.method) for row in MATRIX}
    missing = declared - decided
    assert not missing, f"(route, method) without a row in the permission matrix: {sorted(missing)}"
    gone = decided - declared
    assert not gone, f"rows for a route or method no view answers: {sorted(gone)}"


def test_every_write_names_its_effect():
    """A row that may change something says what, so that its allowed cells prove the change
    and its refused cells prove that nothing changed."""
    blind = [_row_id(row) for row in MATRIX if row.method != "get" and row.effect is None]
    assert not blind, f"rows without an effect: {blind}"
    for row in MATRIX:
        assert set(row.expect) == set(ROLES), (row.route, set(ROLES) ^ set(row.expect))


def test_declared_methods_reads_the_views():
    """The reading itself: a decorated function view, an undecorated one with and without a
    POST branch, a DRF view."""
    from communities import views as community_views
    from integrations.api import views as api_views

    assert declared_methods(community_views.community_join) == {"post"}
    assert declared_methods(community_views.community_leave) == {"get", "post"}
    assert declared_methods(community_views.community_edit) == {"get", "post"}
    assert declared_methods(community_views.community_members) == {"get"}
    assert declared_methods(api_views.PostListView.as_view()) == {"get", "post"}


@contextlib.contextmanager
def _days_ago(days: int) -> Iterator[None]:
    """The services' clock, moved back: a guest whose end date passed is built as it
    happens, by an invitation accepted weeks ago, not by writing an end date into the row."""
    then = timezone.now() - datetime.timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=then):
        yield


def _invite(lead, communities, guest=None, **options):
    """A guest, as it happens: a lead invites the address, the partner accepts."""
    guest = guest or GuestFactory()
    invitation, _token = guest_services.invitation_create(
        acting_user=lead, email=guest.email, communities=communities, **options
    )
    guest_services.invitation_accept(invitation=invitation, user=guest)
    return guest


def _member(lead, community, user):
    membership = cs.membership_invite(acting_user=lead, community=community, user=user)
    return cs.membership_accept(acting_user=user, membership=membership)


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world is built once for the module's cells, inside a transaction that is
    rolled back at the end, as ``TestCase.setUpTestData`` does: each test then runs in a
    savepoint of it (pytest-django's ``db``), so what a row writes is undone after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-media"))),
    ):
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            yield _build_world()
        finally:
            for alias, atomic in reversed(atomics.items()):
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@pytest.fixture
def world(db, _world_once, settings):
    settings.MEDIA_ROOT = _world_once["media_root"]
    # The rows only read the world's instances (their pks, slugs, tokens) and the views load
    # their own, so a copy of the mapping is enough (a deep copy per cell cost 10% of the
    # matrix's time).
    return dict(_world_once)


def _build_world() -> dict:
    from django.conf import settings

    from communities.digests import digests_enqueue
    from communities.models import DigestOutbox

    colleague = UserFactory(display_name="Colleague")
    services.user_profile_update(
        user=colleague,
        acting_user=colleague,
        photo=SimpleUploadedFile("c.png", png_bytes(), "image/png"),
    )
    lead, member, outsider, other_lead, lead_of_x, archived_member, leaving = (
        UserFactory(display_name=n)
        for n in (
            "Lead",
            "Peter Member",
            "Outsider",
            "Other lead",
            "Rhea Lead",
            "Archie Member",
            "Former member",
        )
    )
    private = cs.community_create(acting_user=lead, name="P", visibility="private")
    secret = cs.community_create(acting_user=other_lead, name="S", visibility="secret")
    open_ = cs.community_create(acting_user=other_lead, name="O", visibility="open")
    other_private = cs.community_create(acting_user=other_lead, name="Q", visibility="private")
    membership = _member(lead, private, member)
    # guests, through the invitation services
    guest_a = _invite(lead, [private], GuestFactory(display_name="Guest A"))
    guest_a_membership = Membership.objects.get(user=guest_a, community=private)
    guest_b = _invite(other_lead, [other_private], GuestFactory(display_name="Guest B"))
    guest_revoked = _invite(lead, [private])
    _invite(other_lead, [other_private], guest_revoked)
    guest_services.guest_end(
        acting_user=lead, membership=Membership.objects.get(user=guest_revoked, community=private)
    )
    with _days_ago(30):
        guest_expired = _invite(
            lead, [private], access_ends_on=timezone.localdate() + datetime.timedelta(days=7)
        )
    invitation, token = guest_services.invitation_create(
        acting_user=lead, email="invited@funder.example", communities=[private]
    )
    invitee = GuestFactory(display_name="Ivy Invitee")
    _invitee_invitation, invitee_token = guest_services.invitation_create(
        acting_user=lead, email=invitee.email, communities=[private]
    )
    # a deactivated account: a former member of P who erased their account
    _member(lead, private, leaving)
    services.account_erase(user=leaving, acting_user=leaving)
    # X: a private community, with a member, a guest, a post, an event, then archived;
    # its lead also leads R, which is active
    cs.community_create(acting_user=lead_of_x, name="R", visibility="private")
    archived = cs.community_create(acting_user=lead_of_x, name="X", visibility="private")
    _member(lead_of_x, archived, archived_member)
    guest_x = _invite(lead_of_x, [archived], GuestFactory(display_name="Xavier Guest"))
    post_x = cs.post_create(acting_user=archived_member, community=archived, body="Archived")
    comment_x = cs.comment_create(acting_user=lead_of_x, post=post_x, body="Noted")
    event_x = event_services.event_create(
        acting_user=lead_of_x,
        community=archived,
        title="Last meeting",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2199, 5, 1), all_day=True
        ),
    )
    document_services.document_create(
        acting_user=lead_of_x, community=archived, upload=pdf("report.pdf")
    )
    cs.community_archive(acting_user=lead_of_x, community=archived)

    post_p = cs.post_create(
        acting_user=lead,
        community=private,
        body="The plan #plan",
        attachments=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf")],
    )
    document_p = document_services.document_create(
        acting_user=lead,
        community=private,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter", "application/pdf"),
    )
    shared_reader = GuestFactory(display_name="Outside reviewer")
    document_services.document_share(acting_user=lead, document=document_p, user=shared_reader)
    for community in (private, secret):
        cs.community_update(
            acting_user=lead if community is private else other_lead,
            community=community,
            cover=SimpleUploadedFile("cover.png", png_bytes(), "image/png"),
        )
    event_p = event_services.event_create(
        acting_user=lead,
        community=private,
        title="Steering committee",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2199, 3, 1), all_day=True
        ),
        freq="monthly",
        count=12,
    )
    feed_a, feed_a_token = event_services.feed_create(acting_user=guest_a, community=private)
    feed_expired, feed_expired_token = event_services.feed_create(acting_user=guest_expired)
    import_p, _found = event_services.import_upload(
        acting_user=lead, community=private, file_name="agenda.ics", data=ICS
    )
    comment_p = cs.comment_create(acting_user=member, post=post_p, body="Agreed")
    direct = conversation_services.conversation_start(acting_user=member, people=[lead])
    direct_message = conversation_services.message_send(
        acting_user=member, conversation=direct, body="Hello lead", attachments=[pdf("brief.pdf")]
    )
    conversation_services.message_send(acting_user=lead, conversation=direct, body="Hi member")
    group = conversation_services.conversation_start(
        acting_user=lead, people=[member, guest_a], title="Steering"
    )
    conversation_services.message_send(acting_user=lead, conversation=group, body="Agenda")
    chat_p = conversation_services.community_chat_ensure(community=private)
    chat_message = conversation_services.message_send(
        acting_user=member, conversation=chat_p, body="Chat hello"
    )
    # At noon (UTC) today, whatever the hour of the run: before DIGESTS_SEND_HOUR in the
    # people's time zone no digest is due, and the digest admin's rows would have no outbox.
    digests_enqueue(now=timezone.now().replace(hour=12, minute=0, second=0, microsecond=0))
    browser_key, _unused = generate_keys()  # any P-256 public key is a browser's p256dh
    push_member = push_services.subscription_save(
        user=member,
        endpoint="https://fcm.googleapis.com/fcm/send/member-phone",
        p256dh=browser_key,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
    )
    world = {
        "media_root": settings.MEDIA_ROOT,
        "event_P": event_p,
        "feed_A": feed_a,
        "feed_A_token": feed_a_token,
        "feed_expired": feed_expired,
        "feed_expired_token": feed_expired_token,
        "import_P": import_p,
        "colleague": colleague,
        "other_guest": GuestFactory(display_name="Other guest"),
        "member": member,
        "outsider": outsider,
        "guest_a": guest_a,
        "guest_a_membership": guest_a_membership,
        "guest_x": guest_x,
        "guest_x_membership": Membership.objects.get(user=guest_x, community=archived),
        "invitation": invitation,
        "token": token,
        "invitee_token": invitee_token,
        "document_P": document_p,
        "document_P2": document_services.document_create(
            acting_user=lead, community=private, upload=pdf("plan.pdf")
        ),
        "review_P": document_services.review_request_create(
            acting_user=lead,
            document=document_p,
            reviewers=[member, guest_a],
            due_on=datetime.date(2999, 1, 1),
        ),
        "version_P": document_p.current_version,
        "bulk": bulk_prepare(acting_user=lead, data=b"email;communities\nx@funder.example;P\n"),
        "member_of_P": membership,
        "outbox": DigestOutbox.objects.order_by("pk").first(),
        "P": private,
        "S": secret,
        "O": open_,
        "X": archived,
        "post_P": post_p,
        "attachment_P": post_p.attachments.get(),
        "post_S": cs.post_create(acting_user=other_lead, community=secret, body="Secret #plan"),
        "post_O": cs.post_create(acting_user=other_lead, community=open_, body="Open #plan"),
        "post_X": post_x,
        "comment_P": comment_p,
        "direct": direct,
        "direct_message": direct_message,
        "direct_file": direct_message.attachments.get(),
        "group": group,
        "chat_P": chat_p,
        "chat_message": chat_message,
        "comment_X": comment_x,
        "conversation_P": direct,  # the lead and a member (the legal-hold export)
        "event_X": event_x,
        "push_member": push_member,
        "push_new_browser": {
            "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/new",
            "p256dh": browser_key,
            "auth": "BBBBBBBBBBBBBBBBBBBBBB",
        },
        "users": {
            "anonymous": None,
            "deactivated": leaving,
            "outsider": outsider,
            "member": member,
            "lead": lead,
            "guest_a": guest_a,
            "guest_b": guest_b,
            "staff": UserFactory(is_staff=True, is_superuser=True),
            "guest_expired": guest_expired,
            "guest_revoked": guest_revoked,
            "shared": shared_reader,
            "archived_member": archived_member,
            "other_lead": lead_of_x,
            "invitee": invitee,
        },
    }
    # What some rows need, built once here rather than in every cell that asks
    integration("webhook")(world)
    scoped_page(world)
    return world


def _row_id(row: Row) -> str:
    return f"{row.method}-{row.route}" + (f"-{row.label}" if row.label else "")


def _cells():
    for row in MATRIX:
        for role in ROLES:
            yield pytest.param(row, role, id=f"{_row_id(row)}-{role}")


REFUSALS = {400, 401, 403, 404, 405, 409, 410, 415, LOGIN}


@pytest.mark.parametrize(("row", "role"), list(_cells()))
def test_matrix(client, world, row: Row, role: str):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(row.route, args=row.args(world))
    data = row.data(world) if row.data else {}
    before = row.effect(world) if row.effect else None
    response = getattr(client, row.method)(url, data)
    expected = row.expect[role]
    status = expected.status if isinstance(expected, Unchanged) else expected
    if expected == LOGIN:
        assert response.status_code == 302, (role, response.status_code)
        assert response["Location"].startswith(reverse("account_login"))
    elif isinstance(expected, Unchanged) and expected.to:
        assert (response.status_code, response["Location"]) == (302, reverse(expected.to))
    else:
        assert response.status_code == status, (role, row.route, response.status_code)
    if row.effect is not None:
        after = row.effect(world)
        if expected in REFUSALS or isinstance(expected, Unchanged):
            assert after == before, "a refused action changed the database"
        else:
            assert after != before, "an allowed action changed nothing"
            check_done(response)
    if row.shows is not None and response.status_code == 200:
        assert row.shows in response.content.decode(), f"not the page asked for: {row.shows!r}"
    if response.get("Content-Type", "").startswith("text/html") and response.status_code != 302:
        check_html_page(response, user)


def check_done(response) -> None:
    """An allowed action: no warning or error was flashed, and a redirect does not lead to
    the sign-in page."""
    flashed = [
        str(m)
        for m in django_messages.get_messages(response.wsgi_request)
        if m.level >= django_messages.WARNING
    ]
    assert not flashed, f"an allowed action flashed {flashed}"
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("account_login"))


def check_html_page(response, user) -> None:
    """What every HTML page of the site carries, whoever asks: a strict
    Content-Security-Policy (no inline script), ``Cache-Control: private, no-store`` for a
    signed-in person, and the header menu with its "Admin" entry for those who may use the admin (no
    view's context may hide it)."""
    policy = [d.strip() for d in response.get("Content-Security-Policy", "").split(";")]
    assert "object-src 'none'" in policy, "the page's Content-Security-Policy"
    if response.wsgi_request.path.startswith(reverse("wagtailadmin_home")):
        assert "script-src 'self' 'unsafe-inline'" in policy  # Wagtail's inline scripts
    else:
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
    if response.wsgi_request.user.is_authenticated and response.wsgi_request.path != "/offline/":
        # (The offline page is the same for everyone: public, the service worker keeps it.)
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, cache_control
    content = response.content.decode()
    if 'class="site-header"' in content:
        admin_entry = f'href="{reverse("wagtailadmin_home")}"'
        may_admin = user is not None and user.has_perm("wagtailadmin.access_admin")
        assert (admin_entry in content) == may_admin, "the header's Admin entry"
