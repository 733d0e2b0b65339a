"""What the conversation notification tests share: a clock moved past the notification
delay, and a person reading up to a message."""

from __future__ import annotations

import datetime

from django.utils import timezone

from conversations import notifications, services


def later(minutes: int = 11) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def run(minutes: int = 11) -> notifications.RunResult:
    """The beat task's service, as it runs ``minutes`` from now."""
    return notifications.notifications_send_due(now=later(minutes))


def mark_read(user, message) -> None:
    """The person read up to ``message`` (the read-mark service, as the page calls it)."""
    services.conversation_mark_read(
        acting_user=user, conversation=message.conversation, up_to=message.pk
    )
