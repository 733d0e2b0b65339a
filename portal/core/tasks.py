"""The e-mail and outbox tasks, and the on-commit helper that queues the e-mail one (here, not
in ``mail``, so that ``portal.core.mail`` stays a leaf: it renders and sends, nothing more)."""

from collections.abc import Iterable, Mapping

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from portal.core.mail import Recipient, send_templated_email


# Named as before the move to portal.core, so tasks queued by the previous release still run.
@shared_task(
    name="portal.tasks.send_templated_email_to_users",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
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


def send_templated_email_on_commit(
    template_prefix: str,
    *,
    user_ids: Iterable[int] = (),
    addresses: Iterable[str] = (),
    context: Mapping[str, str],
) -> None:
    """Queue the e-mail for a worker once the current transaction commits (never for a
    change that was rolled back). Accounts read it in their language; bare addresses
    (people without an account yet) in the current one."""
    ids, emails = list(user_ids), list(addresses)
    language = translation.get_language() or settings.LANGUAGE_CODE
    if ids or emails:
        transaction.on_commit(
            lambda: send_templated_email_to_users.delay(
                template_prefix, ids, dict(context), emails, language
            )
        )


@shared_task(name="portal.tasks.resend_unsent_tasks")
def resend_unsent_tasks(limit: int = 1000) -> int:
    """Beat, every minute: publish the tasks the broker refused while it was unreachable
    (portal.core.models.UnsentTask), oldest first. Should the broker fail again, the transaction
    rolls back and every row stays for the next tick."""
    from celery import current_app

    from portal.core.celery import publish
    from portal.core.models import UnsentTask

    with transaction.atomic():
        rows = list(UnsentTask.objects.select_for_update(skip_locked=True)[:limit])
        for row in rows:
            publish(current_app.tasks[row.name], row.args, row.kwargs)
        UnsentTask.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)
