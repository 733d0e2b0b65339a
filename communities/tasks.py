"""Thin Celery tasks: ids in, a service call, retries."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from communities import digests, notifications

BATCH = 100  # digests per task


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    # Idempotent: each notification records when it was e-mailed.
    return notifications.notification_emails_send(notification_ids=notification_ids)


@shared_task(acks_late=True)
def send_notification_pushes(notification_ids: list[int]) -> int:
    """Push each ``push`` notification to the person's devices. A stub written by the
    "prefs" helper of issue 19 so that ``notify()`` can enqueue it; the "push" helper's
    branch replaces it (communities/push.py: the policy and read check at sending, quiet
    hours, the fallback to the digest, ``pushed_at``)."""
    return 0


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
