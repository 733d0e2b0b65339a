"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import logging
import os

from celery import Celery
from celery import Task as BaseTask
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

logger = logging.getLogger("portal.tasks")


class Task(BaseTask):
    """Every Parvis task: when the broker cannot be reached, the task is kept in the database
    (``portal.core.models.UnsentTask``) and published again once it is back, instead of failing
    the request that enqueued it after its transaction has committed."""

    def apply_async(self, args=None, kwargs=None, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except OperationalError as exc:
            from django.conf import settings

            from portal.core.models import UnsentTask

            periodic = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
            if self.name in periodic:
                raise  # beat publishes it again at its next tick
            UnsentTask.objects.create(
                name=self.name,
                args=list(args or ()),
                kwargs=dict(kwargs or {}),
                error=str(exc)[:500],
            )
            logger.warning("broker unreachable, %s kept to be sent later: %s", self.name, exc)
            return None


app = Celery("portal", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
