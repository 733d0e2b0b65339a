"""Reads of the integrations, filtered by who asks (Http404 for what they may not see)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from communities import permissions
from communities.models import Community
from integrations.app_settings import app_settings
from integrations.models import ApiToken, Feed, IntegrationPost, Webhook


def annotate_via(posts: QuerySet) -> QuerySet:
    """``via``: the name of the integration that wrote each post ('' or None for people).
    One correlated subquery on the unique post column, whatever the page size."""
    return posts.annotate(
        via=Subquery(IntegrationPost.objects.filter(post=OuterRef("pk")).values("source_name")[:1])
    )


def community_for_manager(*, user: Any, slug: str) -> Community:
    """The community if ``user`` may manage its integrations (MANAGE); Http404 otherwise."""
    community = Community.objects.filter(slug=slug).first()
    if community is None or not permissions.can(user, permissions.MANAGE, community):
        raise Http404
    return community


def webhooks_of(*, community: Community) -> QuerySet[Webhook]:
    return Webhook.objects.filter(community=community).select_related("created_by")


def feeds_of(*, community: Community) -> QuerySet[Feed]:
    return Feed.objects.filter(community=community).select_related("created_by")


def webhook_get_for_manager(*, user: Any, pk: int) -> Webhook:
    webhook = Webhook.objects.select_related("community").filter(pk=pk).first()
    if webhook is None or not permissions.can(user, permissions.MANAGE, webhook.community):
        raise Http404
    return webhook


def feed_get_for_manager(*, user: Any, pk: int) -> Feed:
    feed = Feed.objects.select_related("community").filter(pk=pk).first()
    if feed is None or not permissions.can(user, permissions.MANAGE, feed.community):
        raise Http404
    return feed


def webhook_get_by_token(*, token_hash: str) -> Webhook:
    """The active webhook with this token; Http404 for an unknown or revoked one."""
    webhook = (
        Webhook.objects.select_related("community", "created_by")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
    if webhook is None:
        raise Http404
    return webhook


def feeds_due(*, now=None) -> list[int]:
    """Ids of the feeds to read now: not paused, not read within the interval. Uses the
    (paused_at, last_checked_at) index."""
    now = now or timezone.now()
    before = now - timedelta(seconds=app_settings.FEED_INTERVAL_SECONDS)
    return list(
        Feed.objects.filter(paused_at__isnull=True)
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=before))
        .order_by("last_checked_at", "id")
        .values_list("pk", flat=True)[:500]
    )


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user.pk)


def api_token_get_for_owner(*, user: Any, pk: int) -> ApiToken:
    api_token = ApiToken.objects.filter(pk=pk, user=user.pk).first()
    if api_token is None:
        raise Http404
    return api_token


def api_token_by_value(*, token_hash: str) -> ApiToken | None:
    """An unrevoked token with its user (the caller checks the user is still active)."""
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
