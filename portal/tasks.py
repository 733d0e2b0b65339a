from celery import shared_task
from django.contrib.auth import get_user_model

from portal.mail import Recipient, send_templated_email


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_templated_email_to_users(
    template_prefix: str,
    user_ids: list[int],
    context: dict,
    addresses: list[str] | None = None,
    language: str = "en",
) -> int:
    """Send a templated e-mail to active accounts, each in their own language, and to bare
    addresses in ``language``. ``context`` holds strings only (it crosses the broker as
    JSON)."""
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))
    others = [Recipient(email=address, language=language) for address in addresses or []]
    return send_templated_email(template_prefix, to=[*users, *others], context=context)
