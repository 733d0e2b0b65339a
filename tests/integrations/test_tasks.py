"""Beat reads the due feeds through a registered task; tasks take ids only."""

from __future__ import annotations

from django.conf import settings

from portal.celery import app


def test_beat_schedules_the_feed_check():
    entry = settings.CELERY_BEAT_SCHEDULE["integrations-check-feeds"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert "integrations.tasks.check_feed" in app.tasks
    assert entry["schedule"] <= settings.INTEGRATIONS_FEED_INTERVAL_SECONDS
