# Parvis: one image for the web server (gunicorn), the live sockets (uvicorn, the compose
# "sockets" service), the Celery worker and Celery beat.
# Build: docker build -t parvis .        Run: see docker-compose.yml and .env.example.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# gettext provides msgfmt for compilemessages. Nothing else is needed: psycopg[binary] ships
# its own libpq, and the browser tests (Chromium) never run in this image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 parvis \
    && useradd --system --uid 10001 --gid parvis --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin parvis

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when pyproject.toml or constraints.txt
# change. Only the metadata is here, so the "parvis" distribution itself installs no packages:
# the code runs from /app (PYTHONPATH, WORKDIR), which keeps BASE_DIR pointing at /app where
# templates/ and locale/ live.
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt .

COPY . .

# Translations (*.mo are not committed). An empty locale/ (LOCALE_PATHS) lets compilemessages
# succeed while the project has no catalogue yet.
# Static files are collected with the *production* settings: they use whitenoise's
# CompressedManifestStaticFilesStorage, whose staticfiles.json manifest the base settings
# (plain StaticFilesStorage) would not write, and {% static %} fails at runtime without it.
# The SECRET_KEY, ALLOWED_HOSTS and PORTAL_BASE_URL below are throwaway build-time values
# (production.py refuses to import without them); no database is touched.
RUN mkdir -p locale \
    && DJANGO_SETTINGS_MODULE=portal.settings.base python manage.py compilemessages -v 0 \
    && SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost PORTAL_BASE_URL=http://localhost \
       STATIC_ROOT=/app/var/static \
       DJANGO_SETTINGS_MODULE=portal.settings.production \
       python manage.py collectstatic --noinput -v 1 \
    && mkdir -p var/media var/mail \
    && chown parvis:parvis var var/media var/mail

USER parvis:parvis

# STATIC_ROOT is baked into the image above; keep it in step with whitenoise at runtime.
ENV DJANGO_SETTINGS_MODULE=portal.settings.production \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/app/var/media

# 8000: gunicorn (pages); 8001: uvicorn (the live sockets, /ws/), each its own service.
EXPOSE 8000 8001

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
