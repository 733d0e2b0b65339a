"""Roles × routes × methods, built from the URL configuration.

Every named route of Parvis's own apps must have a row here: a new route without a decision
fails ``test_every_route_has_a_decision``. What a role may not see answers 404 (the same as a
missing id), never 403. Later issues add their roles (guest of A/B, expired, revoked …) and
routes.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from communities import services as cs
from communities.models import Membership, Notification
from communities.notifications import unsubscribe_token
from documents import services as document_services
from events import services as event_services
from guests import services as guest_services
from guests.bulk import bulk_prepare
from portal.accounts import services
from tests.factories import GuestFactory, UserFactory
from tests.images import png_bytes
from tests.integrations.matrix import integration

OWN_MODULES = ("portal.", "communities.", "guests.", "events.", "documents.", "integrations.")
ROLES = (
    "anonymous",
    "deactivated",
    "outsider",  # internal, member of none of the communities below
    "member",  # member of the private community P
    "lead",  # lead of P
    "guest_a",  # guest of P
    "guest_b",  # guest of another private community Q
    "guest_expired",  # was a guest of P; the end date has passed
    "guest_revoked",  # was a guest of P; a lead ended the access
    "shared",  # outside P; document_P was explicitly shared with them (django-guardian)
    "staff",  # administrator (superuser)
)
LOGIN = "login"  # a redirect to the sign-in page


def own_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "")
                if module.startswith(OWN_MODULES):
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    args: Callable[[dict], list]
    expect: dict[str, int | str]
    data: Callable[[dict], dict] | None = None
    label: str = ""


def _no_args(world: dict) -> list:
    return []


def E(outsider, member, lead, guest_a, guest_b, staff, anonymous=LOGIN, shared=None):
    """Expected answers, in the order of ROLES. A deactivated account is anonymous; an
    expired or revoked guest of P is exactly a guest who was never in P (guest_b); so is the
    person document_P was shared with, except where a row says otherwise."""
    return {
        "shared": guest_b if shared is None else shared,
        "guest_expired": guest_b,
        "guest_revoked": guest_b,
        "anonymous": anonymous,
        "deactivated": anonymous,
        "outsider": outsider,
        "member": member,
        "lead": lead,
        "guest_a": guest_a,
        "guest_b": guest_b,
        "staff": staff,
    }


def A(outsider, member, lead, guest_a, guest_b, staff, shared=None):
    """Expected answers of the REST API (session or token alike): 401 without an account,
    and for a guest left with no community and no shared document (expired, revoked)."""
    expect = E(outsider, member, lead, guest_a, guest_b, staff, anonymous=401, shared=shared)
    expect["guest_expired"] = expect["guest_revoked"] = 401
    return expect


def tampered(token: str) -> str:
    return token[:-2] + ("yy" if token.endswith("xx") else "xx")


def lead_notification(world: dict) -> list:
    return [Notification.objects.get(user=world["users"]["lead"], kind="reply").pk]


def scoped_page(world: dict) -> list:
    """A live page scoped to P, built only for the rows that need one."""
    from wagtail.models import Page

    from portal.pages.models import StandardPage

    page = StandardPage(title="For P", slug="for-p", community=world["P"])
    Page.objects.get(depth=2, slug="home").add_child(instance=page)
    page.save_revision().publish()
    return [page.pk]


def slug(key):
    return lambda w: [w[key].slug]


def pk(key):
    return lambda w: [w[key].pk]


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
    Row("accounts:person", "get", pk("member"), E(200, 200, 200, 200, 404, 200), label="co-member"),
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
        E(400, 400, 400, 400, 400, 400),
        data=lambda w: {"display_name": ""},
    ),
    Row(
        "accounts:set_language",
        "post",
        _no_args,
        E(302, 302, 302, 302, 302, 302, anonymous=302),
        data=lambda w: {"language": "fr", "next": "/"},
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
    Row("communities:detail", "get", slug("P"), E(200, 200, 200, 200, 404, 200), label="private"),
    Row("communities:detail", "get", slug("S"), E(404, 404, 404, 404, 404, 200), label="secret"),
    Row("communities:detail", "get", slug("O"), E(200, 200, 200, 404, 404, 200), label="open"),
    Row("communities:edit", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    Row("communities:archive", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),  # confirm
    Row("communities:archive", "post", slug("P"), E(404, 404, 302, 404, 404, 302)),
    Row("communities:join", "post", slug("P"), E(302, 302, 302, 302, 404, 302), label="private"),
    Row("communities:join", "post", slug("S"), E(404, 404, 404, 404, 404, 404), label="secret"),
    Row("communities:leave", "get", slug("P"), E(404, 200, 200, 200, 404, 404)),  # confirm
    Row("communities:leave", "post", slug("P"), E(404, 302, 302, 302, 404, 404)),
    Row("communities:members", "get", slug("P"), E(404, 200, 200, 200, 404, 200)),
    Row(
        "communities:invite",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"email": w["outsider"].email},
    ),
    Row(
        "communities:member_action",
        "post",
        lambda w: [w["P"].slug, w["member_of_P"].pk, "promote"],
        E(404, 404, 302, 404, 404, 302),
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
    Row("communities:invitation", "get", slug("P"), E(404, 404, 404, 404, 404, 404)),
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
    ),
    Row("communities:post", "get", pk("post_P"), E(404, 200, 200, 200, 404, 200), label="private"),
    Row("communities:post", "get", pk("post_S"), E(404, 404, 404, 404, 404, 200), label="secret"),
    Row("communities:post", "get", pk("post_O"), E(200, 200, 200, 404, 404, 200), label="open"),
    Row("communities:post_edit", "get", pk("post_P"), E(404, 404, 200, 404, 404, 404)),
    Row("communities:post_delete", "post", pk("post_P"), E(404, 404, 302, 404, 404, 302)),
    Row("communities:post_like", "post", pk("post_P"), E(404, 302, 302, 302, 404, 404)),
    Row(
        "communities:post_moderate",
        "post",
        lambda w: [w["post_P"].pk, "pin"],
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"on": "1"},
    ),
    Row(
        "communities:comment_create",
        "post",
        pk("post_P"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"body": "Hi"},
    ),
    Row("communities:comment_delete", "post", pk("comment_P"), E(404, 302, 302, 404, 404, 302)),
    Row("communities:comment_like", "post", pk("comment_P"), E(404, 302, 302, 302, 404, 404)),
    Row("communities:comment_edit", "get", pk("comment_P"), E(404, 200, 404, 404, 404, 404)),
    Row("communities:attachment", "get", pk("attachment_P"), E(404, 200, 200, 200, 404, 200)),
    Row("communities:cover", "get", slug("P"), E(200, 200, 200, 200, 404, 200), label="private"),
    Row("communities:cover", "get", slug("S"), E(404, 404, 404, 404, 404, 200), label="secret"),
    # --- the adoption report (Wagtail admin): administrators only; the others signed in get
    # "no access" (Wagtail's redirect to the sign-in page looped back to the admin) ---
    Row("adoption_report", "get", _no_args, E(403, 403, 403, 403, 403, 200)),
    # --- publish a scoped page to its community (Wagtail admin): who may publish the page ---
    Row("publish_to_community", "get", scoped_page, E(403, 403, 403, 403, 403, 200)),
    Row("publish_to_community", "post", scoped_page, E(403, 403, 403, 403, 403, 302)),
    # --- notifications and digests (everyone signed in has their own) ---
    Row("communities:notifications", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("communities:notification_bell", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "communities:notification_open",
        "get",
        lead_notification,
        E(404, 404, 302, 404, 404, 404),  # the lead's: a reply to their post
    ),
    Row("communities:notifications_read_all", "post", _no_args, E(302, 302, 302, 302, 302, 302)),
    Row("communities:notification_settings", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("communities:digest_preview", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    # The signed token is the credential: anyone holding the link sees the page.
    Row(
        "communities:unsubscribe",
        "get",
        lambda w: [unsubscribe_token(w["member"])],
        E(200, 200, 200, 200, 200, 200, anonymous=200),
    ),
    Row(
        "communities:unsubscribe",
        "get",
        lambda w: [tampered(unsubscribe_token(w["member"]))],
        E(404, 404, 404, 404, 404, 404, anonymous=404),
        label="tampered",
    ),
    # --- documents ---
    Row("documents:list", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("documents:library", "get", slug("P"), E(404, 200, 200, 200, 404, 200)),
    Row("documents:upload", "post", slug("P"), E(404, 302, 302, 404, 404, 404)),
    Row("documents:detail", "get", pk("document_P"), E(404, 200, 200, 200, 404, 200, shared=200)),
    Row(
        "documents:detail",
        "get",
        pk("document_P2"),
        E(404, 200, 200, 200, 404, 200),
        label="not shared",
    ),
    Row("documents:version_upload", "post", pk("document_P"), E(404, 302, 302, 404, 404, 404)),
    Row("documents:delete", "post", pk("document_P"), E(404, 404, 302, 404, 404, 302)),
    Row("documents:download", "get", pk("version_P"), E(404, 200, 200, 200, 404, 200, shared=200)),
    Row(
        "documents:share",
        "post",
        pk("document_P"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"email": w["outsider"].email},
    ),
    Row(
        "documents:unshare",
        "post",
        lambda w: [w["document_P"].pk, w["users"]["shared"].pk],
        E(404, 404, 302, 404, 404, 302),
    ),
    Row("documents:my_reviews", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "documents:review_request",
        "post",
        pk("document_P2"),
        E(404, 404, 302, 404, 404, 302),
        data=lambda w: {"due_on": "2999-01-01"},
    ),
    Row(
        "documents:review_decide",
        "post",
        pk("review_P"),
        E(404, 302, 404, 302, 404, 404),
        data=lambda w: {"decision": "approve"},
    ),
    Row(
        "documents:review_comment",
        "post",
        pk("review_P"),
        E(404, 302, 302, 302, 404, 302),
        data=lambda w: {"body": "Remark"},
    ),
    Row("documents:review_withdraw", "post", pk("review_P"), E(404, 404, 302, 404, 404, 302)),
    Row(
        "documents:review_trail", "get", pk("review_P"), E(404, 200, 200, 200, 404, 200, shared=200)
    ),
    # --- events (the calendar) ---
    Row("events:calendar", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("events:community", "get", slug("P"), E(404, 200, 200, 200, 404, 200)),
    Row("events:create", "get", slug("P"), E(404, 404, 200, 404, 404, 404)),
    Row("events:detail", "get", pk("event_P"), E(404, 200, 200, 200, 404, 200)),
    Row("events:ics", "get", pk("event_P"), E(404, 200, 200, 200, 404, 200)),
    Row("events:edit", "get", pk("event_P"), E(404, 404, 200, 404, 404, 200)),
    Row("events:cancel", "post", pk("event_P"), E(404, 404, 302, 404, 404, 302)),
    Row("events:invite", "post", pk("event_P"), E(404, 404, 302, 404, 404, 302)),
    Row(
        "events:rsvp",
        "post",
        pk("event_P"),
        E(404, 302, 302, 302, 404, 404),
        data=lambda w: {"answer": "yes"},
    ),
    Row("events:import", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    Row(
        "events:import_confirm",
        "post",
        lambda w: [w["P"].slug, w["import_P"].pk],
        E(404, 404, 302, 404, 404, 404),
    ),
    Row("events:feeds", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "events:feeds",
        "post",
        _no_args,
        E(404, 302, 302, 302, 404, 302),
        data=lambda w: {"community": w["P"].slug},
        label="new feed of P",
    ),
    # only its owner (guest_a) rotates or revokes a feed
    Row("events:feed_rotate", "post", pk("feed_A"), E(404, 404, 404, 302, 404, 404)),
    Row("events:feed_revoke", "post", pk("feed_A"), E(404, 404, 404, 302, 404, 404)),
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
    Row("guests:invitations", "get", _no_args, E(404, 404, 200, 404, 404, 200)),
    Row("guests:invite", "get", _no_args, E(404, 404, 200, 404, 404, 200)),
    Row("guests:bulk_upload", "get", _no_args, E(404, 404, 200, 404, 404, 200)),
    Row("guests:bulk", "get", pk("bulk"), E(404, 404, 200, 404, 404, 404)),
    Row("guests:bulk_confirm", "post", pk("bulk"), E(404, 404, 302, 404, 404, 404)),
    Row(
        "guests:invitation_action",
        "post",
        lambda w: [w["invitation"].pk, "resend"],
        E(404, 404, 302, 404, 404, 302),
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
        "get",
        lambda w: ["not-a-token"],
        E(404, 404, 404, 404, 404, 404, anonymous=404),
        label="bad token",
    ),
    Row("guests:guest", "get", pk("guest_a"), E(404, 404, 200, 200, 404, 200)),
    Row(
        "guests:guest_access",
        "post",
        lambda w: [w["guest_a"].pk, w["guest_a_membership"].pk, "end"],
        E(404, 404, 302, 404, 404, 302),
    ),
    Row(
        "guests:guest_access",
        "get",
        lambda w: [w["guest_a"].pk, w["guest_a_membership"].pk, "end"],
        E(404, 404, 200, 404, 404, 200),
        label="confirm",
    ),
    Row("guests:my_access", "get", _no_args, E(404, 404, 404, 302, 302, 404)),
    Row("guests:community_guests", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    # --- integrations: a community's webhooks and feeds (its leads) ---
    Row("integrations:community", "get", slug("P"), E(404, 404, 200, 404, 404, 200)),
    # an administrator manages P but cannot post there, so cannot set up an integration
    Row(
        "integrations:webhook_create",
        "post",
        slug("P"),
        E(404, 404, 200, 404, 404, 400),
        data=lambda w: {"name": "CRM"},
    ),
    Row(
        "integrations:webhook_revoke",
        "post",
        integration("webhook"),
        E(404, 404, 302, 404, 404, 302),
    ),
    Row(
        "integrations:feed_create",
        "post",
        slug("P"),
        E(404, 404, 302, 404, 404, 400),
        data=lambda w: {"name": "Blog", "url": "https://blog.example.org/feed"},
    ),
    Row(
        "integrations:feed_action",
        "post",
        integration("feed", "pause"),
        E(404, 404, 302, 404, 404, 302),
    ),
    # the webhook answers its token, whoever calls; a form body is refused (JSON only)
    Row(
        "integrations:webhook",
        "post",
        integration("webhook_token"),
        E(415, 415, 415, 415, 415, 415, anonymous=415, shared=415),
        data=lambda w: {"text": "Deal signed"},
    ),
    Row(
        "integrations:webhook",
        "post",
        lambda w: ["not-the-token"],
        E(404, 404, 404, 404, 404, 404, anonymous=404, shared=404),
        label="bad token",
    ),
    # personal API tokens: everyone signed in; only its owner (guest_a) revokes one
    Row("integrations:api_tokens", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row(
        "integrations:api_tokens",
        "post",
        _no_args,
        E(200, 200, 200, 200, 200, 200),
        data=lambda w: {"name": "script", "scope": "read"},
    ),
    Row(
        "integrations:api_token_revoke",
        "post",
        integration("api_token"),
        E(404, 404, 404, 302, 404, 404),
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
        data=lambda w: {
            "file": SimpleUploadedFile("charter.pdf", b"%PDF-1.4 v2", "application/pdf")
        },
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
    ),
    # --- your data (GDPR): everyone signed in, for their own account only ---
    Row("accounts:privacy", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    Row("accounts:privacy_export", "get", _no_args, E(200, 200, 200, 200, 200, 200)),
    # erasure asks for the password again first (allauth's re-authentication)
    Row(
        "accounts:privacy_erase",
        "post",
        _no_args,
        E(302, 302, 302, 302, 302, 302),
        data=lambda w: {"confirmation": "not-my-address@example.org"},
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
    ),
    # --- the admin screens (Wagtail admin, issue 9): administrators only; anyone else signed
    # in gets "no access" (guests too: they never reach the admin) ---
    *[
        Row(f"admin_{screen}:{view}", "get", args, E(403, 403, 403, 403, 403, 200))
        for screen, key in [
            ("communities", "P"),
            ("memberships", "member_of_P"),
            ("guests", "guest_a_membership"),
            ("invitations", "invitation"),
            ("events", "event_P"),
            ("documents", "document_P"),
        ]
        for view, args in [
            ("index", _no_args),
            ("index_results", _no_args),
            ("inspect", pk(key)),
            ("history", pk(key)),
            ("history_results", pk(key)),
        ]
    ],
    # the digest outbox's listing (its CSV export goes through the formula guard, so its
    # index view is ours)
    Row("digests:index", "get", _no_args, E(403, 403, 403, 403, 403, 200)),
    Row("digests:index_results", "get", _no_args, E(403, 403, 403, 403, 403, 200)),
]


def test_every_route_has_a_decision():
    decided = {row.route for row in MATRIX}
    missing = own_route_names() - decided
    assert not missing, f"routes without a row in the permission matrix: {sorted(missing)}"
    assert not decided - own_route_names(), "rows for routes that no longer exist"


def _guest_of(community, guest):
    # Until the guests app invites partners, a guest membership is written directly.
    return Membership.objects.create(
        user=guest, community=community, role=Membership.Role.GUEST, status=Membership.Status.ACTIVE
    )


def _former_guest(community, *, expired: bool):
    guest = GuestFactory()
    membership = _guest_of(community, guest)
    if expired:
        membership.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    else:
        membership.status = Membership.Status.REMOVED
    membership.save()
    return guest


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world is built once for the module's ~1,800 tests, inside a transaction that is
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
    # A copy per test, like setUpTestData's: a row that changes an instance changes only its own.
    return copy.deepcopy(_world_once)


def _build_world() -> dict:
    from django.conf import settings

    colleague = UserFactory(display_name="Colleague")
    services.user_profile_update(
        user=colleague,
        acting_user=colleague,
        photo=SimpleUploadedFile("c.png", png_bytes(), "image/png"),
    )
    lead, member, outsider, other_lead = (
        UserFactory(display_name=n) for n in ("Lead", "Peter Member", "Outsider", "Other lead")
    )
    guest_a, guest_b = GuestFactory(display_name="Guest A"), GuestFactory(display_name="Guest B")
    private = cs.community_create(acting_user=lead, name="P", visibility="private")
    secret = cs.community_create(acting_user=other_lead, name="S", visibility="secret")
    open_ = cs.community_create(acting_user=other_lead, name="O", visibility="open")
    other_private = cs.community_create(acting_user=other_lead, name="Q", visibility="private")
    membership = cs.membership_invite(acting_user=lead, community=private, user=member)
    cs.membership_accept(acting_user=member, membership=membership)
    guest_a_membership = _guest_of(private, guest_a)
    invitation, token = guest_services.invitation_create(
        acting_user=lead, email="invited@funder.example", communities=[private]
    )
    _guest_of(other_private, guest_b)
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
    guest_expired = _former_guest(private, expired=True)
    feed_expired, feed_expired_token = event_services.feed_create(acting_user=guest_expired)
    import_p, _found = event_services.import_upload(
        acting_user=lead,
        community=private,
        file_name="agenda.ics",
        data=(
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:launch@example.org\r\n"
            b"SUMMARY:Launch\r\nDTSTART:21990601T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    return {
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
        "invitation": invitation,
        "token": token,
        "document_P": document_p,
        "document_P2": document_services.document_create(
            acting_user=lead,
            community=private,
            upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf"),
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
        "P": private,
        "S": secret,
        "O": open_,
        "post_P": post_p,
        "attachment_P": post_p.attachments.get(),
        "post_S": cs.post_create(acting_user=other_lead, community=secret, body="Secret #plan"),
        "post_O": cs.post_create(acting_user=other_lead, community=open_, body="Open #plan"),
        "comment_P": cs.comment_create(acting_user=member, post=post_p, body="Agreed"),
        "users": {
            "anonymous": None,
            "deactivated": UserFactory(is_active=False),
            "outsider": outsider,
            "member": member,
            "lead": lead,
            "guest_a": guest_a,
            "guest_a_membership": guest_a_membership,
            "invitation": invitation,
            "token": token,
            "guest_b": guest_b,
            "staff": UserFactory(is_staff=True, is_superuser=True),
            "guest_expired": guest_expired,
            "guest_revoked": _former_guest(private, expired=False),
            "shared": shared_reader,
        },
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "row", MATRIX, ids=lambda r: f"{r.method}-{r.route}" + (f"-{r.label}" if r.label else "")
)
def test_matrix(client, world, row: Row, role: str):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(row.route, args=row.args(world))
    data = row.data(world) if row.data else {}
    response = getattr(client, row.method)(url, data)
    expected = row.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (role, row.route, response.status_code)
    if response.get("Content-Type", "").startswith("text/html") and response.status_code != 302:
        check_html_page(response, user)


def check_html_page(response, user) -> None:
    """What every HTML page of the site carries, whoever asks: a strict
    Content-Security-Policy (no inline script), ``Cache-Control: private`` for a signed-in
    person, and the header menu with its "Admin" entry for those who may use the admin (no
    view's context may hide it)."""
    policy = [d.strip() for d in response.get("Content-Security-Policy", "").split(";")]
    assert "object-src 'none'" in policy, "the page's Content-Security-Policy"
    if response.wsgi_request.path.startswith(reverse("wagtailadmin_home")):
        assert "script-src 'self' 'unsafe-inline'" in policy  # Wagtail's inline scripts
    else:
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
    if response.wsgi_request.user.is_authenticated:
        assert "private" in response.get("Cache-Control", ""), "Cache-Control: private"
    content = response.content.decode()
    if 'class="site-header"' in content:
        admin_entry = f'href="{reverse("wagtailadmin_home")}"'
        may_admin = user is not None and user.has_perm("wagtailadmin.access_admin")
        assert (admin_entry in content) == may_admin, "the header's Admin entry"
