from celery import shared_task

from documents import services


@shared_task
def remind_reviewers() -> int:
    return services.reviews_remind()
