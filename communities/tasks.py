"""Thin Celery tasks: ids in, a service call, retries."""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from communities import digests, notifications, push

BATCH = 100  # digests per task
PUSH_WAIT_HOP_SECONDS = 300  # a push waiting for quiet hours to end looks again this often


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    # Idempotent: each notification records when it was e-mailed.
    return notifications.notification_emails_send(notification_ids=notification_ids)


@shared_task(bind=True, acks_late=True)
def send_notification_pushes(self, notification_ids: list[int]) -> int:
    """Push the ``push`` rows ``notify()`` wrote, each once (``pushed_at``), checked just
    before sending (communities/push.py). A row in its person's quiet hours comes back
    alone when they end; without a broker there is nobody to wait, so it goes to the digest."""
    sent = 0
    for pk in notification_ids:
        result = push.notification_push(notification_id=pk)
        if result.outcome is push.Outcome.SENT:
            sent += 1
        elif result.outcome is push.Outcome.LATER:
            if self.request.is_eager:
                push.notification_push_fall_back(notification_id=pk)
            else:
                # In hops shorter than the broker's visibility timeout: Redis would hand an
                # unacknowledged task with a far ETA out again, and again.
                hop = timezone.now() + datetime.timedelta(seconds=PUSH_WAIT_HOP_SECONDS)
                send_notification_pushes.apply_async(args=[[pk]], eta=min(result.when, hop))
    return sent


@shared_task
def enqueue_digests() -> int:
    """Beat, every quarter of an hour: create the due outbox rows, hand out in batches those
    not queued already (a failed batch retries itself; a killed worker's batch comes back
    from the broker after its visibility timeout)."""
    ids = digests.digests_enqueue()
    for start in range(0, len(ids), BATCH):
        send_digests.delay(ids[start : start + BATCH])
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_digests(self, outbox_ids: list[int]) -> int:
    """Idempotent: a row already sent, skipped or held by another worker is passed over.
    Retries itself for as long as some of its digests are pending: the rows decide when to
    stop (attempts for refusals, the period for an unreachable mail server)."""
    try:
        result = digests.digests_send_batch(outbox_ids=outbox_ids)
    except (OperationalError, InterfaceError) as exc:  # the database connection was lost
        if self.request.is_eager:
            raise
        raise self.retry(countdown=digests.retry_delay(self.request.retries), exc=exc) from exc
    if result.later:
        send_digests.delay(result.later)
    # In-process (no broker) a retry would run at once, again and again: the rows wait for
    # the next enqueue run instead.
    if result.retry and not self.request.is_eager:
        retry = digests.digests_to_retry(outbox_ids=result.retry)
        if retry:
            countdown = digests.retry_delay(self.request.retries)
            raise self.retry(args=[retry], countdown=countdown)
    return result.sent
