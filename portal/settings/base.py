"""Parvis settings: everything, read from the environment, with defaults that run on a bare
machine (SQLite, local media folder, mail to the console, Celery tasks in-process).

Every variable is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from portal.settings.env import env_bool, env_int, env_list, env_str, redis_db_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PARVIS_VAR_DIR", str(BASE_DIR / "var")))

# A development key: production.py refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "parvis-insecure-development-key-change-me")
# Former keys after a rotation: what they signed (unsubscribe links, reply addresses,
# sessions) stays valid until they are removed from this list.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # daphne first: `manage.py runserver` then serves ASGI, WebSockets included (make run).
    "daphne",
    # Parvis
    "portal.accounts",
    "portal.pages",
    "portal.core",
    "portal.push",
    "portal",
    "communities",
    "guests",
    "events",
    "documents",
    "conversations",
    "integrations",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Accounts, permissions, mail
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "anymail",
    "django_htmx",
    "csp",
    "channels",
    # REST API and its OpenAPI schema (integrations)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Django ("django.forms": its widget templates, for the project's form renderer)
    "django.forms",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every response (and the admin's own, laxer one).
    "portal.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.UserPreferencesMiddleware",
    # Pages for a signed-in person are theirs: no shared cache keeps them.
    "portal.core.middleware.PrivateCacheMiddleware",
    # Signed-in people without admin access get "no access" at /admin/, not a login loop.
    "portal.core.middleware.AdminAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
# HTTP and WebSockets (/ws/): Django Channels (portal/asgi.py, portal/core/live.py).
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Every form draws its fields with templates/forms/ (portal/core/forms.py).
FORM_RENDERER = "portal.core.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://parvis:secret@db:5432/parvis. Without it: SQLite in var/.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parvis.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Persistent connections buy nothing on SQLite, and the file is shared with `make run`.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker (db 0) and cache (db 1) ---------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, answering like an empty cache while Redis is down: the
            # site keeps serving from the database (portal/cache.py).
            "BACKEND": "portal.core.cache.FailSoftRedisCache",
            "LOCATION": redis_db_url(REDIS_URL, 1),
            "KEY_PREFIX": "parvis",
            # A Redis host that does not answer costs a request half a second, not a hang.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Channel layer: live events to sockets (Redis db 2; in memory, one process, without) -------
# A live event reaches sockets on every process only through Redis; the in-memory layer is
# the embedded default (make run: one process). CHANNEL_LAYER_PREFIX keeps two deployments
# (or two test workers) sharing one Redis apart.
CHANNEL_LAYER_PREFIX = env_str("CHANNEL_LAYER_PREFIX", "parvis")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's pool refuses (not waits for) a connection beyond its size, and
                # every socket connecting at once (a restart: all reconnect) takes one for its
                # group_add: room for such a burst (Redis itself accepts 10,000 clients).
                "hosts": [
                    {
                        "address": redis_db_url(REDIS_URL, 2),
                        "max_connections": env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 1000),
                    }
                ],
                "prefix": CHANNEL_LAYER_PREFIX,
                # A socket that stops reading loses events beyond this, then catches up by id.
                "capacity": 500,
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", redis_db_url(REDIS_URL, 0) if REDIS_URL else "")
# Without a broker, tasks run in-process (the embedded default); with one, a worker runs them.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A task a worker has taken but not acknowledged (it was killed, or it holds a retry until its
# countdown) goes back to the queue after this. It must exceed what the longest task needs:
# a digest batch (DIGESTS_BATCH_SECONDS, then its last message) and the longest countdown
# of a retry (DIGESTS_RETRY_MAX_SECONDS); a batch of a killed worker is handed out again
# then, without waiting for beat, and must find the digest it held claimable again: above
# DIGESTS_BATCH_SECONDS + DIGESTS_SENDING_LEASE. Redis looks for such tasks every
# unacked_restore_interval seconds.
BROKER_VISIBILITY_TIMEOUT = env_int("BROKER_VISIBILITY_TIMEOUT", 600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env_int("BROKER_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE: dict = {
    "guests-tidy": {"task": "guests.tasks.tidy_expired_guests", "schedule": 3600 * 24},
    "guests-remind-sponsors": {"task": "guests.tasks.remind_sponsors", "schedule": 3600 * 24},
    "documents-remind-reviewers": {
        "task": "documents.tasks.remind_reviewers",
        "schedule": 3600 * 24,
    },
    # Every minute, the feeds whose interval (INTEGRATIONS_FEED_INTERVAL_SECONDS) has passed.
    "integrations-check-feeds": {"task": "integrations.tasks.check_due_feeds", "schedule": 60},
    # Digests go out at DIGESTS_SEND_HOUR in each person's time zone: look every 15 minutes.
    "communities-digests": {"task": "communities.tasks.enqueue_digests", "schedule": 900},
    # Messages unread for CONVERSATIONS_NOTIFY_AFTER_MINUTES become notifications and e-mails.
    "conversations-notify": {"task": "conversations.tasks.notify_unread", "schedule": 60},
    # Tasks enqueued while the broker was unreachable (portal.core.models.UnsentTask).
    "portal-resend-unsent-tasks": {"task": "portal.tasks.resend_unsent_tasks", "schedule": 60},
}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "portal.accounts.backends.PortalModelBackend",  # ModelBackend; guests kept out of the admin
    "allauth.account.auth_backends.AuthenticationBackend",
    "communities.backends.CommunityBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: e-mail and password, verified e-mail, TOTP, rate limits (allauth's defaults).
ACCOUNT_ADAPTER = "guests.adapter.InvitationAccountAdapter"  # sign-up by invitation, too
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parvis] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Parvis"
# Only addresses in these domains may sign up on their own; everyone else is invited.
PORTAL_INTERNAL_DOMAINS = [d.lower() for d in env_list("PORTAL_INTERNAL_DOMAINS", [])]

# django-guardian: no anonymous user row; explicit per-object grants only.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One unambiguous date format per language (portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["portal.core.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    # Private bucket: objects are served through short-lived signed URLs.
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "signature_version": "s3v4",  # expiry carried in X-Amz-Expires
            # Signed download URLs live five minutes at most.
            "querystring_expire": min(env_int("AWS_QUERYSTRING_EXPIRE", 300), 300),
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Local media are served by Django itself when no object store is configured.
SERVE_MEDIA = not AWS_STORAGE_BUCKET_NAME
WHITENOISE_USE_FINDERS = DEBUG
# Files served at the site's root, such as /favicon.ico (browsers ask for it on every page).
WHITENOISE_ROOT = BASE_DIR / "portal" / "site_root"

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail ---------------------------------------------------------------------------------
# console (default), file (EMAIL_FILE_PATH), smtp, or an anymail ESP such as
# anymail.backends.postmark.EmailBackend configured with ANYMAIL_* variables.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # seconds per SMTP step: a hung server is an outage
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Parvis <noreply@parvis.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in __import__("os").environ.items()
    if key.startswith("ANYMAIL_") and value
}

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Parvis"
WAGTAILADMIN_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Everybody signs in through allauth (with two-factor); the admin's own login redirects there.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_I18N_ENABLED = False
# Staff avatars are never fetched from gravatar.com (it would learn their e-mail hashes).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the dashboard ask releases.wagtail.org for news (and the CSP would refuse it).
WAGTAIL_ENABLE_UPDATE_CHECK = False

TAGGIT_CASE_INSENSITIVE = True

# --- Accounts -------------------------------------------------------------------------------
ACCOUNTS_PHOTO_MAX_BYTES = env_int("ACCOUNTS_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
ACCOUNTS_PHOTO_MAX_PIXELS = 40_000_000

# --- Security defaults that hold everywhere -------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"


def _media_origins() -> list[str]:
    """Where signed image URLs point when uploads live in an object store (avatars and
    attachments redirect there, and CSP checks the redirect's target)."""
    explicit = env_list("PORTAL_CSP_MEDIA_ORIGINS")
    if explicit or not AWS_STORAGE_BUCKET_NAME:
        return explicit
    endpoint = env_str("AWS_S3_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return [
            f"{parts.scheme}://{parts.netloc}",
            f"{parts.scheme}://{AWS_STORAGE_BUCKET_NAME}.{parts.netloc}",
        ]
    region = env_str("AWS_S3_REGION_NAME")
    hosts = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    if region:
        hosts.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{region}.amazonaws.com")
    return hosts


# django-csp: no inline script, no inline style, nothing from another site. Behaviour lives
# in portal/static/portal/js/parvis.js (data- attributes), never in the HTML. A response that
# already carries a policy (private files: a sandbox) keeps its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_media_origins()],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Wagtail's admin still writes inline scripts and styles (date pickers, inline panels) and
# previews pages in a frame of its own: under /admin/ these directives replace the above.
PORTAL_ADMIN_CSP = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", *_media_origins()],
    "frame-ancestors": [SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "portal": {"level": env_str("PARVIS_LOG_LEVEL", "INFO")},
        "django.server": {"level": "INFO"},
    },
}
ACCOUNT_FORMS = {"signup": "guests.forms.InvitationSignupForm"}

# --- Communities ----------------------------------------------------------------------------
COMMUNITIES_GENERAL_NAME = env_str("COMMUNITIES_GENERAL_NAME", "Everyone")
COMMUNITIES_ATTACHMENT_MAX_BYTES = env_int("COMMUNITIES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
COMMUNITIES_ATTACHMENTS_PER_POST = 5
COMMUNITIES_ATTACHMENT_EXTENSIONS = [
    "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "csv", "zip",
    "jpg", "jpeg", "png", "gif", "webp",
]  # fmt: skip

# --- Digests --------------------------------------------------------------------------------
DIGESTS_SEND_HOUR = env_int("DIGESTS_SEND_HOUR", 7)  # local hour of each person's digest
DIGESTS_SKIP_IF_SEEN = env_bool("DIGESTS_SKIP_IF_SEEN", True)  # no digest if on the site since
DIGESTS_MAX_ATTEMPTS = env_int("DIGESTS_MAX_ATTEMPTS", 5)  # then the digest is marked failed
# A batch that could not finish (mail server unreachable, a 4xx answer, the database gone)
# retries itself after DIGESTS_RETRY_SECONDS, doubling up to DIGESTS_RETRY_MAX_SECONDS.
DIGESTS_RETRY_SECONDS = env_int("DIGESTS_RETRY_SECONDS", 30)
DIGESTS_RETRY_MAX_SECONDS = env_int("DIGESTS_RETRY_MAX_SECONDS", 300)
DIGESTS_BATCH_SECONDS = env_int("DIGESTS_BATCH_SECONDS", 120)  # then the rest is a new task
# A digest claimed ("sending") by a worker that died before recording the outcome may be
# claimed again after this; it exceeds the longest hand-off (EMAIL_TIMEOUT per SMTP step).
DIGESTS_SENDING_LEASE = env_int("DIGESTS_SENDING_LEASE", 300)
# Beat hands a pending digest out again only when it has been queued this long ago.
DIGESTS_REQUEUE_SECONDS = env_int("DIGESTS_REQUEUE_SECONDS", 1800)
# Reply by e-mail: the domain whose mail the ESP hands to /anymail/<esp>/inbound/ (unset: off).
COMMUNITIES_REPLY_DOMAIN = env_str("COMMUNITIES_REPLY_DOMAIN", "")
COMMUNITIES_REPLY_MAX_AGE_DAYS = env_int("COMMUNITIES_REPLY_MAX_AGE_DAYS", 30)

# --- Guests ---------------------------------------------------------------------------------
GUESTS_INVITATION_DAYS = env_int("GUESTS_INVITATION_DAYS", 14)  # an invitation link's life
GUESTS_ACCESS_DAYS = env_int("GUESTS_ACCESS_DAYS", 90)  # default length of a guest's access
GUESTS_REMINDER_DAYS = env_int("GUESTS_REMINDER_DAYS", 14)  # sponsors are told this early
GUESTS_BULK_MAX_ROWS = env_int("GUESTS_BULK_MAX_ROWS", 2000)  # lines in one CSV wave

# --- Documents ------------------------------------------------------------------------------
DOCUMENTS_MAX_UPLOAD_BYTES = env_int("DOCUMENTS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
DOCUMENTS_REMINDER_DAYS = env_int("DOCUMENTS_REMINDER_DAYS", 2)

# --- Conversations --------------------------------------------------------------------------
# A message still unread this many minutes after it was sent becomes a notification (and, by
# preference, an e-mail or a digest line).
CONVERSATIONS_NOTIFY_AFTER_MINUTES = env_int("CONVERSATIONS_NOTIFY_AFTER_MINUTES", 10)
CONVERSATIONS_NOTIFY_PUSH_AFTER_MINUTES = env_int("CONVERSATIONS_NOTIFY_PUSH_AFTER_MINUTES", 1)

# --- Web Push (portal/push) -----------------------------------------------------------------
# The VAPID key pair (RFC 8292) the push services know this site by: base64url, the private
# key as its raw 32 bytes, the public key as the uncompressed point (65 bytes) browsers take as
# applicationServerKey. From the environment, or else from var/vapid.json written by
# `manage.py vapid_keys` (make run does it). Without keys, push is off (the devices page says
# so). Changing the keys orphans every subscription: browsers must subscribe again.
VAPID_KEYS_FILE = VAR_DIR / "vapid.json"
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
if not (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY) and VAPID_KEYS_FILE.is_file():
    _vapid = __import__("json").loads(VAPID_KEYS_FILE.read_text())
    VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = _vapid["public_key"], _vapid["private_key"]
# The contact push services may write to about this site (mailto: or https:).
VAPID_SUBJECT = env_str(
    "VAPID_SUBJECT", "mailto:" + DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
)
# Push services a subscription's endpoint may point to (host names, or suffixes starting
# with "."): the site posts to that address, so it never posts to one a browser made up.
PUSH_SERVICE_HOSTS = env_list(
    "PUSH_SERVICE_HOSTS",
    [
        "fcm.googleapis.com",  # Chrome, Edge on Android, Chromium
        "updates.push.services.mozilla.com",  # Firefox
        ".push.apple.com",  # Safari (web.push.apple.com)
        ".notify.windows.com",  # Edge on Windows
    ],
)

# --- Events ---------------------------------------------------------------------------------
EVENTS_IMPORT_MAX_BYTES = env_int("EVENTS_IMPORT_MAX_BYTES", 1024 * 1024)  # largest .ics import
EVENTS_IMPORT_MAX_COMPONENTS = env_int("EVENTS_IMPORT_MAX_COMPONENTS", 5000)  # per .ics file
EVENTS_MAX_COUNT = env_int("EVENTS_MAX_COUNT", 1000)  # most occurrences of one series (COUNT)

# --- Integrations: webhooks, feeds, REST API --------------------------------------------------
INTEGRATIONS_WEBHOOK_MAX_BYTES = env_int("INTEGRATIONS_WEBHOOK_MAX_BYTES", 64 * 1024)
INTEGRATIONS_WEBHOOK_RATE_PER_MINUTE = env_int("INTEGRATIONS_WEBHOOK_RATE_PER_MINUTE", 30)
INTEGRATIONS_FEED_INTERVAL_SECONDS = env_int("INTEGRATIONS_FEED_INTERVAL_SECONDS", 15 * 60)
INTEGRATIONS_FEED_TIMEOUT_SECONDS = env_int("INTEGRATIONS_FEED_TIMEOUT_SECONDS", 10)
INTEGRATIONS_FEED_MAX_BYTES = env_int("INTEGRATIONS_FEED_MAX_BYTES", 5 * 1024 * 1024)
INTEGRATIONS_FEED_MAX_FAILURES = env_int("INTEGRATIONS_FEED_MAX_FAILURES", 5)
# Feeds on private, loopback or link-local addresses. Off: only tests serving feeds locally
# turn it on.
INTEGRATIONS_ALLOW_PRIVATE_FEEDS = env_bool("INTEGRATIONS_ALLOW_PRIVATE_FEEDS", False)
# Outbound HTTP proxy for feeds, http://[user:password@]host:port ("" = connect directly).
INTEGRATIONS_FEED_PROXY = env_str("INTEGRATIONS_FEED_PROXY", "")
INTEGRATIONS_API_RATE = env_str("INTEGRATIONS_API_RATE", "120/minute")

REST_FRAMEWORK = {
    # Authentication, permissions and throttling are set on the API's own views
    # (integrations/api/views.py), so Wagtail's admin API keeps its defaults.
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parvis API",
    "DESCRIPTION": (
        "Your communities, their posts and comments, documents and events. Authenticate "
        "with a personal access token (profile → API tokens): `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and Redoc from the sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["integrations.api.schema.only_our_api"],
}
