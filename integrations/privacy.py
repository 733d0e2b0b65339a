"""What integrations holds about a person, for "Your data" (``portal/accounts/privacy.py``):
their API tokens (names and prefixes, never the secrets) and the webhooks and feeds they set
up for a community.

Erasure deletes the API tokens (refused with 401 at once) and stops the webhooks (revoked)
and feeds (paused) that posted with their rights; the posts they brought in stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from integrations.models import ApiToken, Feed, Webhook
from portal.accounts.privacy import Contribution, Entry, JsonEntry, rows


def export(user: Any) -> Iterator[Entry]:
    yield JsonEntry(
        "api_tokens.json",
        rows(
            ApiToken.objects.filter(user=user).order_by("pk"),
            lambda t: {
                "name": t.name,
                "scope": t.scope,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            },
        ),
    )

    def integrations() -> Iterator[dict]:
        webhooks = Webhook.objects.filter(created_by=user).select_related("community")
        for webhook in webhooks.order_by("pk").iterator(chunk_size=500):
            yield {
                "kind": "webhook",
                "name": webhook.name,
                "community": webhook.community.name,
                "created_at": webhook.created_at,
                "revoked_at": webhook.revoked_at,
            }
        feeds = Feed.objects.filter(created_by=user).select_related("community")
        for feed in feeds.order_by("pk").iterator(chunk_size=500):
            yield {
                "kind": "feed",
                "name": feed.name,
                "url": feed.url,
                "community": feed.community.name,
                "created_at": feed.created_at,
                "paused_at": feed.paused_at,
            }

    yield JsonEntry("integrations.json", integrations)


def erase(user: Any, *, email: str) -> None:
    now = timezone.now()
    ApiToken.objects.filter(user=user).delete()
    Webhook.objects.filter(created_by=user, revoked_at__isnull=True).update(revoked_at=now)
    Feed.objects.filter(created_by=user, paused_at__isnull=True).update(paused_at=now)


contribution = Contribution(app="integrations", export=export, erase=erase)
