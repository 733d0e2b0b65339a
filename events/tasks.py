from celery import shared_task

from events import selectors


@shared_task
def warm_feed_fragments(event_ids: list[int]) -> int:
    """Serialise changed events for the feeds, off the request."""
    return selectors.warm_fragments(pks=event_ids)
