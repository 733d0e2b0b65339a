"""Test settings: the embedded default, made fast and deterministic.

DATABASE_URL and REDIS_URL are honoured, so the same suite runs on SQLite and on the real
PostgreSQL and Redis (see .ci/run).
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
SERVE_MEDIA = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
PORTAL_INTERNAL_DOMAINS = ["parvis.example"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so a real Celery worker process can read what a test committed.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-parvis.sqlite3")}
