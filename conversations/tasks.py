"""Thin Celery tasks: a service call."""

from celery import shared_task

from conversations import notifications


@shared_task
def notify_unread() -> int:
    """Beat, every minute: messages unread for CONVERSATIONS_NOTIFY_AFTER_MINUTES become
    notifications and e-mails. Idempotent and safe to overlap (seats are claimed with
    SKIP LOCKED and moved past what they were told)."""
    return notifications.notifications_send_due().notified
