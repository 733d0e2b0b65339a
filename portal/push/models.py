from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One browser on one device that agreed to receive push notifications for a person:
    the push service's endpoint and the keys the payload is encrypted with (RFC 8291).
    Removed when the push service answers 404 or 410, when the person removes the device,
    signs out on it, or their account is deactivated."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)  # the browser's public key, base64url
    auth = models.CharField(max_length=50)  # the shared authentication secret, base64url
    device = models.CharField(_("device"), max_length=200, blank=True)  # from the User-Agent
    # The session that subscribed: signing out of it removes the subscription.
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    last_success_at = models.DateTimeField(_("last push"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.device or 'device'} of {self.user_id}"
