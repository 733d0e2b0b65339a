"""The base class of every Parvis task (``portal/celery.py`` makes it the app's ``task_cls``).

Imported when the Celery app is built, before Django's app registry is ready: models are
imported inside the methods that use them.
"""

from __future__ import annotations

import logging

from celery import Task as CeleryTask
from kombu.exceptions import OperationalError

logger = logging.getLogger("portal.tasks")


class Task(CeleryTask):
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


def publish(task: CeleryTask, args: list, kwargs: dict):
    """Celery's plain publish, which raises when the broker is unreachable, rather than the
    keep-it-for-later one of ``Task.apply_async``."""
    return CeleryTask.apply_async(task, args, kwargs)
