from celery import shared_task

from integrations import selectors, services


@shared_task
def check_due_feeds() -> int:
    """Beat: hand every due feed to a worker."""
    due = selectors.feeds_due()
    for feed_id in due:
        check_feed.delay(feed_id)
    return len(due)


@shared_task
def check_feed(feed_id: int) -> int | None:
    return services.feed_check(feed_id=feed_id)
