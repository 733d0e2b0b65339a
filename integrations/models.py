"""Integrations: incoming webhooks and RSS/Atom feeds that post into a community, the
record of which integration wrote which post, and personal API tokens.

Every secret (webhook URL token, API token) is stored as its SHA-256 only: it is shown once
when created and can never be read back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Post


class Webhook(models.Model):
    """A secret URL through which another tool (a CRM, an automation service) posts into a
    community. Posts are published with the rights of the lead who created it: when that
    person may no longer post there, the webhook stops."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Feed(models.Model):
    """An RSS or Atom feed checked periodically; each new entry becomes a post."""

    class Error(models.TextChoices):
        ADDRESS = "address", _("the address is not allowed (private or internal network)")
        CONNECTION = "connection", _("the server could not be reached")
        TIMEOUT = "timeout", _("the server took too long to answer")
        TOO_LARGE = "too_large", _("the feed is larger than the limit")
        REDIRECTS = "redirects", _("too many redirects")
        HTTP = "http", _("the server answered with an error")
        NOT_A_FEED = "not_a_feed", _("this is not a valid RSS or Atom feed")
        FORBIDDEN = "forbidden", _("whoever connected it may no longer post in this community")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("feed address"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Conditional GET: what the server said last time.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last read"), null=True, blank=True)
    failure_count = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=20, choices=Error.choices, blank=True)
    last_error_detail = models.CharField(max_length=200, blank=True)
    # Paused by a lead, or automatically after too many failures in a row (``last_error``
    # says why).
    paused_at = models.DateTimeField(_("paused on"), null=True, blank=True)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        ordering = ["-id"]
        indexes = [models.Index(fields=["paused_at", "last_checked_at"], name="feed_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class FeedEntry(models.Model):
    """An entry already seen: the key is the SHA-256 of its id (or link), so an entry is
    posted once however often the feed is read."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=64)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="feed_entry_once")]

    def __str__(self) -> str:
        return f"{self.feed_id}:{self.key[:12]}"


class IntegrationPost(models.Model):
    """Which integration wrote a post (shown as "via <name>"). The name is kept so the post
    still says where it came from after the integration is deleted."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="integration")
    source_name = models.CharField(max_length=80)
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"post {self.post_id} via {self.source_name}"


class ApiToken(models.Model):
    """A personal access token for the REST API. It acts as its owner, with what its owner
    may do at the moment of each request, limited to reading unless its scope is write."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parvis_api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, to recognise a token in the list without revealing it.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
