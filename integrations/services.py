"""Writes of the integrations. Every post an integration writes goes through
``communities.services.post_create`` (so the activity stream records it), with the rights of
the person who set the integration up: an integration never does more than its creator may
do now."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

import feedparser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from communities import permissions
from communities import services as community_services
from communities.models import Community, Post
from integrations import fetch as fetching
from integrations import formatting
from integrations.app_settings import app_settings
from integrations.models import ApiToken, Feed, FeedEntry, IntegrationPost, Webhook
from portal.core.tokens import token_issue

logger = logging.getLogger("portal.integrations")

TOKEN_PREFIX = "pvs_"  # noqa: S105 (a visible marker, not a secret)


def _require_manager(acting_user: Any, community: Community) -> None:
    if not permissions.can(acting_user, permissions.MANAGE, community):
        raise PermissionDenied("manage integrations")


def _require_poster(acting_user: Any, community: Community) -> None:
    """Setting up an integration: a manager who may post there (its posts carry their rights)."""
    _require_manager(acting_user, community)
    if not permissions.can(acting_user, permissions.POST, community):
        raise ValidationError(
            _("Integrations post with your rights: join this community as a lead first.")
        )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError(_("Give it a name."))
    return name


def _integration_post(
    *, author: Any, community: Community, body: str, source_name: str, **source: Any
) -> Post:
    post = community_services.post_create(acting_user=author, community=community, body=body)
    IntegrationPost.objects.create(post=post, source_name=source_name, **source)
    return post


# --- Incoming webhooks ----------------------------------------------------------------------


@transaction.atomic
def webhook_create(*, acting_user: Any, community: Community, name: str) -> tuple[Webhook, str]:
    """A new webhook and its secret token (returned once; only its hash is kept)."""
    _require_poster(acting_user, community)
    token, digest = token_issue()
    webhook = Webhook.objects.create(
        community=community, name=_clean_name(name), token_hash=digest, created_by=acting_user
    )
    log(instance=webhook, action="integrations.webhook_create", user=acting_user)
    return webhook, token


@transaction.atomic
def webhook_revoke(*, acting_user: Any, webhook: Webhook) -> Webhook:
    _require_manager(acting_user, webhook.community)
    if webhook.revoked_at is None:
        webhook.revoked_at = timezone.now()
        webhook.save(update_fields=["revoked_at"])
        log(instance=webhook, action="integrations.webhook_revoke", user=acting_user)
    return webhook


class Throttled(Exception):
    pass


def webhook_throttle(*, webhook: Webhook) -> None:
    """Count a call in the cache (a fixed one-minute window per webhook); Throttled past
    the limit. Counted before the body is read, so a flood of bad calls is refused too."""
    window = int(timezone.now().timestamp() // 60)
    key = f"integrations:webhook:{webhook.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        calls = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        calls = 1
    if calls > app_settings.WEBHOOK_RATE_PER_MINUTE:
        raise Throttled


def parse_webhook_payload(data: Any) -> dict[str, str]:
    """``{"text", "title"?, "url"?}`` (Slack's ``{"text": …}`` is the same shape), checked;
    ValidationError otherwise."""
    if not isinstance(data, dict):
        raise ValidationError(_("Send a JSON object."))
    text, title, url = data.get("text"), data.get("title", ""), data.get("url", "")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(_('"text" is required: a non-empty string.'))
    if not isinstance(title, str) or len(title) > 200:
        raise ValidationError(_('"title" must be a string of at most 200 characters.'))
    if not isinstance(url, str) or (url.strip() and not formatting.safe_url(url)):
        raise ValidationError(_('"url" must be an http or https address.'))
    return {"text": text, "title": title, "url": url}


@transaction.atomic
def webhook_post(*, webhook: Webhook, text: str, title: str = "", url: str = "") -> Post:
    """Publish a webhook's message in its community, as its creator, "via" its name.
    PermissionDenied when the creator may no longer post there (the webhook stops)."""
    body = formatting.webhook_body(text=text, title=title, url=url)
    post = _integration_post(
        author=webhook.created_by,
        community=webhook.community,
        body=body,
        source_name=webhook.name,
        webhook=webhook,
    )
    Webhook.objects.filter(pk=webhook.pk).update(last_used_at=timezone.now())
    return post


# --- RSS / Atom feeds -----------------------------------------------------------------------


def _check_feed_url(url: str) -> str:
    url = (url or "").strip()
    if not formatting.safe_url(url):
        raise ValidationError(_("Enter an http or https address."))
    return url


@transaction.atomic
def feed_create(*, acting_user: Any, community: Community, name: str, url: str) -> Feed:
    """Connect a feed. It is read by the periodic task (and by the view right away, after
    the commit); nothing is fetched here."""
    _require_poster(acting_user, community)
    feed = Feed.objects.create(
        community=community,
        name=_clean_name(name),
        url=_check_feed_url(url),
        created_by=acting_user,
    )
    log(instance=feed, action="integrations.feed_create", user=acting_user)
    return feed


@transaction.atomic
def feed_set_paused(*, acting_user: Any, feed: Feed, paused: bool) -> Feed:
    """Pause, or resume (which forgets earlier failures and makes the feed due at once)."""
    _require_manager(acting_user, feed.community)
    if paused and feed.paused_at is None:
        feed.paused_at = timezone.now()
        feed.save(update_fields=["paused_at"])
    elif not paused and feed.paused_at is not None:
        feed.paused_at = None
        feed.failure_count = 0
        feed.last_checked_at = None
        feed.save(update_fields=["paused_at", "failure_count", "last_checked_at"])
    return feed


@transaction.atomic
def feed_delete(*, acting_user: Any, feed: Feed) -> None:
    """Disconnect a feed; the posts it wrote stay (still marked with its name)."""
    _require_manager(acting_user, feed.community)
    log(instance=feed, action="integrations.feed_delete", user=acting_user)
    feed.delete()


def _entry_key(entry: Any) -> str:
    raw = entry.get("id") or entry.get("link") or ""
    raw = raw or entry.get("title", "") + entry.get("published", "")
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest() if raw else ""


def _summary(entry: Any) -> str:
    if entry.get("summary"):
        return entry["summary"]
    content = entry.get("content") or []
    return content[0].get("value", "") if content else ""


def feed_ingest(*, feed: Feed, content: bytes) -> int:
    """Turn the new entries of a fetched feed into posts; returns how many were posted.
    ValidationError when ``content`` is not a feed. At most ``FEED_MAX_NEW_POSTS`` posts per
    call (the newest); older new entries are marked seen without a post."""
    parsed = feedparser.parse(content, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        raise ValidationError("not a feed")
    entries = [(key, e) for e in parsed.entries if (key := _entry_key(e))]
    seen = set(
        FeedEntry.objects.filter(feed=feed, key__in=[k for k, _e in entries]).values_list(
            "key", flat=True
        )
    )
    fresh = []
    for key, entry in entries:  # feeds list the newest first
        if key not in seen:
            seen.add(key)
            fresh.append((key, entry))
    to_post = fresh[: app_settings.FEED_MAX_NEW_POSTS]
    posted = 0
    for key, _entry in reversed(fresh[len(to_post) :]):
        FeedEntry.objects.get_or_create(feed=feed, key=key)
    for key, entry in reversed(to_post):  # oldest first, so the feed reads in order
        body = formatting.feed_entry_body(
            title=entry.get("title", ""),
            summary_html=_summary(entry),
            link=entry.get("link", ""),
            summary_limit=app_settings.SUMMARY_MAX_CHARS,
        )
        if not body.strip():
            FeedEntry.objects.get_or_create(feed=feed, key=key)
            continue
        try:
            with transaction.atomic():
                row = FeedEntry.objects.create(feed=feed, key=key)
                row.post = _integration_post(
                    author=feed.created_by,
                    community=feed.community,
                    body=body,
                    source_name=feed.name,
                    feed=feed,
                )
                row.save(update_fields=["post"])
        except IntegrityError:  # another check of the same feed got there first
            continue
        except ValidationError:  # this entry cannot be a post: seen, skipped, next one
            FeedEntry.objects.get_or_create(feed=feed, key=key)
            continue
        posted += 1
    if posted:
        Feed.objects.filter(pk=feed.pk).update(post_count=F("post_count") + posted)
    return posted


def _claim(feed_id: int) -> Feed | None:
    """The feed, if it is not paused and nobody checked it within the last minute (two
    workers handed the same feed do not both read it)."""
    now = timezone.now()
    feed = Feed.objects.select_related("community", "created_by").filter(pk=feed_id).first()
    if feed is None or feed.is_paused:
        return None
    recent = feed.last_checked_at and feed.last_checked_at > now - timedelta(minutes=1)
    if recent:
        return None
    claimed = Feed.objects.filter(pk=feed.pk, last_checked_at=feed.last_checked_at).update(
        last_checked_at=now
    )
    if not claimed:
        return None
    feed.last_checked_at = now
    return feed


def _record_failure(feed: Feed, code: str, detail: str) -> None:
    feed.failure_count += 1
    feed.last_error = code
    feed.last_error_detail = detail[:200]
    fields = ["failure_count", "last_error", "last_error_detail"]
    if feed.failure_count >= app_settings.FEED_MAX_FAILURES:
        feed.paused_at = timezone.now()  # shown with last_error as the reason
        fields.append("paused_at")
        logger.warning("feed %s paused after %s failures: %s", feed.pk, feed.failure_count, code)
    feed.save(update_fields=fields)


def feed_check(*, feed_id: int) -> int | None:
    """Read one feed now (conditional GET, bounded) and post its new entries. Returns the
    number of posts, or None when the feed was skipped or failed (the failure is recorded;
    after ``FEED_MAX_FAILURES`` in a row the feed pauses itself)."""
    feed = _claim(feed_id)
    if feed is None:
        return None
    try:
        result = fetching.fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            timeout=app_settings.FEED_TIMEOUT_SECONDS,
            max_bytes=app_settings.FEED_MAX_BYTES,
            max_redirects=app_settings.FEED_MAX_REDIRECTS,
            allow_private=app_settings.ALLOW_PRIVATE_FEEDS,
            proxy=app_settings.FEED_PROXY,
        )
    except fetching.FetchError as exc:
        _record_failure(feed, exc.code, exc.detail)
        return None
    posted = 0
    if result.status == 200:
        try:
            posted = feed_ingest(feed=feed, content=result.content)
        except ValidationError:
            _record_failure(feed, Feed.Error.NOT_A_FEED, "")
            return None
        except PermissionDenied:
            # Its creator may no longer post there: the feed stops until a lead resumes it.
            _record_failure(feed, Feed.Error.FORBIDDEN, "")
            return None
        feed.etag, feed.last_modified = result.etag, result.last_modified
    feed.failure_count = 0
    feed.last_error = ""
    feed.last_error_detail = ""
    feed.last_success_at = timezone.now()
    feed.save(
        update_fields=[
            "etag",
            "last_modified",
            "failure_count",
            "last_error",
            "last_error_detail",
            "last_success_at",
        ]
    )
    return posted


# --- API tokens -----------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, acting_user: Any, name: str, scope: str) -> tuple[ApiToken, str]:
    """A personal access token (returned once; only its hash is kept)."""
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.is_active:
        raise PermissionDenied("api token")
    if scope not in ApiToken.Scope.values:
        raise ValidationError(_("Choose read or write."))
    token, digest = token_issue(TOKEN_PREFIX)
    api_token = ApiToken.objects.create(
        user=acting_user,
        name=_clean_name(name),
        scope=scope,
        token_hash=digest,
        prefix=token[: len(TOKEN_PREFIX) + 4],
    )
    log(instance=api_token, action="integrations.token_create", user=acting_user)
    return api_token, token


@transaction.atomic
def api_token_revoke(*, acting_user: Any, api_token: ApiToken) -> ApiToken:
    if api_token.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied("revoke token")
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])
        log(instance=api_token, action="integrations.token_revoke", user=acting_user)
    return api_token


def api_token_touch(*, api_token: ApiToken) -> None:
    """Record the last use, at most once a minute (no write on every request)."""
    now = timezone.now()
    if api_token.last_used_at is None or api_token.last_used_at < now - timedelta(minutes=1):
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
