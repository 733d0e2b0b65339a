from celery import shared_task

from guests import services


@shared_task
def tidy_expired_guests() -> int:
    return services.guests_tidy()


@shared_task
def remind_sponsors() -> int:
    return services.guests_remind()


@shared_task
def send_bulk_invitations(bulk_id: int) -> int:
    from guests.bulk import bulk_send

    return bulk_send(bulk_id)
