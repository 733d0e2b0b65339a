"""The Celery application. Configuration comes from Django settings (CELERY_* names); every
task is a ``portal.core.celery.Task`` (kept in the database while the broker is away)."""

import os

from celery import Celery

from portal.core.celery import Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
