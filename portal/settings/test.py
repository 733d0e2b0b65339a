"""Test settings: the embedded default, made fast and deterministic.

DATABASE_URL and REDIS_URL are honoured, so the same suite runs on SQLite and on the real
PostgreSQL and Redis (see .ci/run).
"""

import os

from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, DATABASES

# Under pytest-xdist (`make test` runs the suite in parallel) each worker process gets a name
# ("gw0", "gw1", ...): whatever a test writes outside its tmp_path is kept apart per worker.
# pytest-django does the same for the test databases: it adds "_gw0" to their names.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")

DEBUG = False
# Test workers sharing the real Redis must not hear each other's live events (ids overlap),
# nor two test runs of two checkouts (CHANNEL_LAYER_PREFIX apart).
if CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis"):  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = (  # noqa: F405
        f"{CHANNEL_LAYER_PREFIX}-test{_xdist_worker}"  # noqa: F405
    )
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "-".join(filter(None, ["test-media", _xdist_worker]))
SERVE_MEDIA = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
PORTAL_INTERNAL_DOMAINS = ["parvis.example"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so a real Celery worker process can read what a test committed;
    # one per xdist worker (pytest-django names it test-parvis.sqlite3_gw0, and so on).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-parvis.sqlite3")}

# Web Push: the test runs' own key pair (never the developer's var/vapid.json; the same in
# every process of a run), and the loopback push service of tests/push_service.py.
from portal.push.vapid import generate_keys  # noqa: E402

VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = generate_keys(seed=b"parvis tests")
VAPID_SUBJECT = "mailto:push-tests@parvis.example"
PUSH_SERVICE_HOSTS = [*PUSH_SERVICE_HOSTS, "127.0.0.1"]  # noqa: F405
