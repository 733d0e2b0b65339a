from celery import shared_task

from guests import services


@shared_task
def tidy_expired_guests() -> int:
    return services.guests_tidy()


@shared_task
def remind_sponsors() -> int:
    return services.guests_remind()
