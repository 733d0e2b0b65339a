from celery import shared_task
from django.contrib.auth import get_user_model

from portal.accounts import services


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int) -> int:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    return services.welcome_email_send(user=user)
