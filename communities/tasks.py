"""Thin Celery tasks: ids in, a service call, retries."""

from celery import shared_task

from communities import digests, notifications

BATCH = 100  # digests per task


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    # Idempotent: each notification records when it was e-mailed.
    return notifications.notification_emails_send(notification_ids=notification_ids)


@shared_task
def enqueue_digests() -> int:
    """Beat, every quarter of an hour: create the due outbox rows, hand them out in
    batches. Pending rows left by a killed worker are handed out again here."""
    ids = digests.digests_enqueue()
    for start in range(0, len(ids), BATCH):
        send_digests.delay(ids[start : start + BATCH])
    return len(ids)


@shared_task(
    acks_late=True,
    autoretry_for=(digests.RetryableFailure,),
    retry_backoff=30,
    retry_backoff_max=1800,  # well below the broker's visibility timeout
    max_retries=digests.MAX_ATTEMPTS,
)
def send_digests(outbox_ids: list[int]) -> int:
    # Idempotent: a row already sent, skipped or held by another worker is passed over.
    return sum(digests.digest_send(outbox_id=pk) == "sent" for pk in outbox_ids)
