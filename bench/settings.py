"""The production settings, as the benchmark runner starts them: persistent database
connections with health checks (from ``portal.settings.base``), the Redis cache in a
database of its own (``BENCH_REDIS_DB``, 11 by default) so that a benchmark's cache clear
touches nothing else on a shared Redis, and tasks run in-process (no broker is shared)."""

from portal.settings.env import env_int, redis_db_url
from portal.settings.production import *  # noqa: F403
from portal.settings.production import CACHES, REDIS_URL

if REDIS_URL:
    CACHES["default"]["LOCATION"] = redis_db_url(REDIS_URL, env_int("BENCH_REDIS_DB", 11))
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
