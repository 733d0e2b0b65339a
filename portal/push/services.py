"""Sending to a person's devices, and the devices they turned push on for.

- ``push_to_user(*, user_id, payload) -> int``: encrypt ``payload`` (a dict: ``title``,
  ``body``, ``url`` a site path, ``tag``, ``notification``) for each of the person's
  subscriptions (RFC 8291, aes128gcm) and post it with a VAPID JWT (RFC 8292); returns how
  many push services accepted it. 404 and 410 (the browser unsubscribed, the subscription
  expired) remove the subscription; other failures are logged and counted on it.
- ``subscription_save`` / ``subscription_remove`` / ``subscriptions_remove_for_session`` /
  ``subscriptions_remove_all``: what the devices page, sign-out and deactivation do.

This app knows nothing of communities: what to push to whom, and whether the person may
still see it, is decided by the floor (``communities/push.py``) just before it calls here.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from portal.push.models import PushSubscription
from portal.push.vapid import b64url_decode

logger = logging.getLogger(__name__)

# A push message's payload is at most 4096 bytes once encrypted (RFC 8291); keep ours well
# under it, so the encryption overhead and a long URL always fit.
PAYLOAD_MAX_BYTES = 3072
# How long a push service keeps a message for a device that is offline (seconds).
TTL_SECONDS = 24 * 3600
TIMEOUT_SECONDS = 10


def push_configured() -> bool:
    """Whether this site has its VAPID keys (``manage.py vapid_keys`` or the environment)."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def vapid_public_key() -> str:
    """The key the page passes to ``pushManager.subscribe`` (applicationServerKey)."""
    return settings.VAPID_PUBLIC_KEY


# --- Subscriptions ---------------------------------------------------------------------------


def endpoint_allowed(endpoint: str) -> bool:
    """Only the push services of ``PUSH_SERVICE_HOSTS``, over HTTPS (plain HTTP for a loopback
    address only): the site posts to this address, so a made-up one must not make it call
    anything else."""
    try:
        parts = urlsplit(endpoint)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        return False
    if parts.scheme != "https" and not (parts.scheme == "http" and host == "127.0.0.1"):
        return False
    for allowed in settings.PUSH_SERVICE_HOSTS:
        allowed = allowed.lower()
        if host == allowed or (allowed.startswith(".") and host.endswith(allowed)):
            return True
    return False


def _key(value: str, size: int, *, first: int | None = None) -> bool:
    try:
        raw = b64url_decode(value)
    except ValueError:
        return False
    return len(raw) == size and (first is None or raw[0] == first)


def subscription_save(
    *,
    user: Any,
    endpoint: str,
    p256dh: str,
    auth: str,
    device: str = "",
    session_key: str = "",
) -> PushSubscription:
    """Remember (or refresh) a browser's subscription for ``user``. An endpoint belongs to one
    browser: when another person signs in on it and turns push on, it becomes theirs.
    Raises ``ValidationError`` for an endpoint that is not a known push service's or keys
    that are not a P-256 public key (65 bytes, uncompressed) and a 16-byte secret."""
    endpoint = (endpoint or "").strip()
    if len(endpoint) > 1000 or not endpoint_allowed(endpoint):
        raise ValidationError(_("This is not the address of a push service."), code="endpoint")
    p256dh, auth = (p256dh or "").strip(), (auth or "").strip()
    if not _key(p256dh, 65, first=4) or not _key(auth, 16):
        raise ValidationError(_("The browser sent keys that cannot be used."), code="keys")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "device": device[:200],
            "session_key": session_key or "",
            "failures": 0,
        },
        create_defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "device": device[:200],
            "session_key": session_key or "",
            "created_at": timezone.now(),
        },
    )
    return subscription


def subscription_remove(*, user: Any, pk: int | None = None, endpoint: str | None = None) -> int:
    """Forget one of ``user``'s devices, by id (the devices page) or by endpoint (the page on
    that device). Another person's subscription is never touched. Returns how many went."""
    if pk is None and not endpoint:
        return 0
    rows = PushSubscription.objects.filter(user=user.pk)
    rows = rows.filter(pk=pk) if pk is not None else rows.filter(endpoint=endpoint)
    return rows.delete()[0]


def subscriptions_remove_for_session(*, user: Any, session_key: str) -> int:
    """Sign-out: the devices subscribed from that session stop receiving pushes."""
    if not session_key:
        return 0
    return PushSubscription.objects.filter(user=user.pk, session_key=session_key).delete()[0]


def subscriptions_remove_all(*, user: Any) -> int:
    """An account deactivated or erased: nothing is pushed to it any more."""
    return PushSubscription.objects.filter(user=user.pk).delete()[0]


def subscription_list(*, user: Any) -> list[PushSubscription]:
    """The person's devices, newest first."""
    return list(PushSubscription.objects.filter(user=user.pk).order_by("-created_at", "-id"))


# A few words naming a browser and its system, from its User-Agent ("Firefox on Android").
_BROWSERS = [
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Opera", re.compile(r"\bOPR/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS|Chromium)/")),  # HeadlessChrome/ too
    ("Safari", re.compile(r"\bSafari/")),
]
_SYSTEMS = [
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
]


def device_name(user_agent: str) -> str:
    """ "Firefox on Android", "Chrome on Linux"…; empty when nothing is recognised."""
    browser = next((name for name, p in _BROWSERS if p.search(user_agent or "")), "")
    system = next((name for name, p in _SYSTEMS if p.search(user_agent or "")), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system


# --- Sending ---------------------------------------------------------------------------------


def encode_payload(payload: dict[str, Any]) -> str:
    """The JSON sent, shortened to ``PAYLOAD_MAX_BYTES`` by trimming the body (then the
    title): the URL, tag and id are never cut."""
    data = dict(payload)
    for field in ("body", "title"):
        text = str(data.get(field, ""))
        while len(json.dumps(data).encode()) > PAYLOAD_MAX_BYTES and text:
            text = text[: max(0, len(text) - 64)]
            data[field] = (text + "…") if text else ""
    return json.dumps(data, separators=(",", ":"))


def push_to_user(*, user_id: int, payload: dict[str, Any]) -> int:
    """Encrypt ``payload`` for each of the person's devices and hand it to their push
    services; the number of devices whose service accepted it (0 when they have none)."""
    if not push_configured():
        return 0
    data = encode_payload(payload)
    accepted = 0
    for subscription in PushSubscription.objects.filter(user=user_id).order_by("pk"):
        if _send(subscription, data):
            accepted += 1
    return accepted


def _send(subscription: PushSubscription, data: str) -> bool:
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        webpush(
            info,
            data=data,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            # The browser unsubscribed or the subscription expired: it will never work again.
            logger.info("push subscription %s gone (%s): removed", subscription.pk, status)
            subscription.delete()
            return False
        logger.warning("push to subscription %s refused: %s", subscription.pk, status)
        _failed(subscription)
        return False
    except (OSError, ValueError) as exc:  # requests' errors are OSErrors (unreachable, timeout)
        logger.warning("push to subscription %s failed: %s", subscription.pk, exc)
        _failed(subscription)
        return False
    PushSubscription.objects.filter(pk=subscription.pk).update(
        last_success_at=timezone.now(), failures=0
    )
    return True


def _failed(subscription: PushSubscription) -> None:
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
