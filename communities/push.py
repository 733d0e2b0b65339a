"""Push notifications of the floor: the rows ``notify()`` gave the ``push`` channel, sent to
the person's devices by ``tasks.send_notification_pushes`` (portal/push does the sending).

Decided immediately before sending, never when queued:
- the person may still see the notification (its community is still readable by them:
  ``notifications.notifications_visible_to``; the account is active) and has not read it:
  otherwise nothing is sent, and the row stays as it is (the bell keeps its rule);
- quiet hours (``User.quiet_hours_start``/``_end``, in the person's time zone): the push
  waits until they end (the task comes back then) and the same checks run again;
- no device (or none whose push service accepted it): the row falls back to the digest
  (``channel = digest``), so the person still hears of it, once;
- sent: ``pushed_at``. A row is pushed at most once: locked, marked and committed before the
  push services are called (no transaction open over the network), set back if none took it.

Also the person's devices in "Your data" (``portal/accounts/privacy.py``).
"""

from __future__ import annotations

import datetime
import enum
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from communities import notifications
from communities.models import Channel, Notification
from portal.accounts.privacy import Contribution, Entry, JsonEntry, rows
from portal.push import services as push_services
from portal.push.models import PushSubscription


class Outcome(enum.Enum):
    SENT = "sent"  # at least one device's push service accepted it
    LATER = "later"  # quiet hours: try again at ``PushResult.when``
    DIGEST = "digest"  # no device took it: the digest will tell them
    SKIPPED = "skipped"  # read, no longer visible, not a push row, or already pushed


@dataclass(frozen=True)
class PushResult:
    outcome: Outcome
    when: datetime.datetime | None = None


def quiet_until(user: Any, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the person's quiet hours end, if ``now`` falls within them; else None. Both
    bounds are local times in ``user.timezone``; a start after the end spans midnight
    (22:00–07:00); equal bounds mean no quiet hours."""
    start, end = user.quiet_hours_start, user.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    try:
        zone = zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    local = (now or timezone.now()).astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    if start < end:
        quiet, day = start <= moment < end, local.date()
    else:  # across midnight: from start tonight until end tomorrow morning
        quiet = moment >= start or moment < end
        day = local.date() + datetime.timedelta(days=1 if moment >= start else 0)
    if not quiet:
        return None
    # A wall-clock end (DST gaps resolve forward through UTC), back in UTC.
    return datetime.datetime.combine(day, end, tzinfo=zone).astimezone(datetime.UTC)


def notification_payload(notification: Notification) -> dict[str, Any]:
    """What the service worker shows (in the person's language): who did what, about what;
    opening it goes through ``notification_open``, which marks it read (so no digest
    repeats it)."""
    with translation.override(getattr(notification.user, "language", "") or None):
        actor = notification.actor.name if notification.actor else ""
        what = str(notification.get_kind_display())
        title = f"{actor} {what}" if actor else what[:1].upper() + what[1:]
        if notification.community_id:
            title = f"{title} ({notification.community.name})"
    return {
        "title": title,
        "body": notification.title,
        "url": reverse("communities:notification_open", args=[notification.pk]),
        "tag": f"notification-{notification.pk}",
        "notification": notification.pk,
    }


def notification_push(*, notification_id: int, now: datetime.datetime | None = None) -> PushResult:
    """Push one notification now if it may and should be (see the module's docstring)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "actor", "community")
            .filter(pk=notification_id, channel=Channel.PUSH, pushed_at__isnull=True)
            .first()
        )
        if notification is None or notification.read_at is not None:
            return PushResult(Outcome.SKIPPED)
        user = notification.user
        visible = (
            notifications.notifications_visible_to(user=user).filter(pk=notification.pk).exists()
        )
        if not user.is_active or not visible:
            return PushResult(Outcome.SKIPPED)
        when = quiet_until(user, now)
        if when is not None:
            return PushResult(Outcome.LATER, when)
        # Claimed (marked pushed) and committed before the push services are called, so no
        # transaction stays open over the network; a crash in between loses this one push
        # rather than sending it twice.
        notification.pushed_at = timezone.now()
        notification.save(update_fields=["pushed_at"])
        payload = notification_payload(notification)
    accepted = push_services.push_to_user(user_id=user.pk, payload=payload)
    if not accepted:
        Notification.objects.filter(pk=notification_id).update(
            channel=Channel.DIGEST, pushed_at=None
        )
        return PushResult(Outcome.DIGEST)
    return PushResult(Outcome.SENT)


def notification_push_fall_back(*, notification_id: int) -> bool:
    """A push that cannot wait for the end of quiet hours (no task scheduler: the embedded
    default runs tasks in-process) goes to the digest instead. True when the row changed."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, channel=Channel.PUSH, pushed_at__isnull=True
        ).update(channel=Channel.DIGEST)
    )


# --- Your data ------------------------------------------------------------------------------


def _export(user: Any) -> Iterator[Entry]:
    yield JsonEntry(
        "push_devices.json",
        rows(
            PushSubscription.objects.filter(user=user).order_by("pk"),
            lambda s: {
                "device": s.device,
                "endpoint": s.endpoint,
                "created_at": s.created_at,
                "last_success_at": s.last_success_at,
            },
        ),
    )


def _erase(user: Any, *, email: str = "") -> None:
    push_services.subscriptions_remove_all(user=user)


privacy_contribution = Contribution(app="push", export=_export, erase=_erase)
