"""Parvis as an installable web app: the manifest, the service worker and the offline page,
all served from the site's root (a service worker controls only the paths below its own).

The rule of the caches (templates/portal/sw.js): the service worker keeps the site's own
static files (``/static/portal/…``) and the offline page; it writes an HTML page into its
cache only when the response says ``Cache-Control: public`` — the editorial pages as a
signed-out visitor sees them (portal/pages/models.py). Every response to a signed-in person
says ``private, no-store`` (portal.core.middleware.PrivateCacheMiddleware), so what a person
read is never left on a shared phone; signing out clears every cache anyway (parvis.js).

The cache's name carries :func:`static_version`: when a static file changes, so does the
service worker's text, the browser installs the new one, and its activation drops the old
cache.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.contrib.staticfiles.utils import get_files
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# Only the site's own static files go through the service worker's cache (the admin's and
# the API documentation's go to the network): the version covers exactly these.
STATIC_PREFIX = "portal/"
# Precached at installation: what any page needs to draw itself (the style sheets it
# imports, the scripts, the fonts, the icons) and what a notification shows. The rest of
# portal/ (the style guide's pictures, the larger icons) is cached when first asked for.
PRECACHE = re.compile(
    r"^portal/(css/(?!wagtail-admin).+\.css|js/.+\.js|vendor/.+\.js|fonts/.+\.woff2|icons/.+\.svg"
    r"|brand/(mark|wordmark)\.svg|brand/(icon-192|badge-96)\.png|favicon\.svg)$"
)
TOKENS = Path(__file__).resolve().parent / "static" / "portal" / "css" / "tokens.css"
# The manifest's icons (made by scripts/brand_assets.py, which says why these sizes).
ICON_SIZES = (48, 72, 96, 128, 144, 192, 256, 384, 512, 1024)
MASKABLE_SIZES = (48, 72, 96, 128, 144, 192, 384, 512)
START_URL = "/?source=pwa"
OFFLINE_PATH = "/offline/"


def _portal_static_files() -> dict[str, str]:
    """The static files under :data:`STATIC_PREFIX` as ``{path: absolute file}``, found as
    ``collectstatic`` finds them (the first finder that has a path wins)."""
    found: dict[str, str] = {}
    for finder in get_finders():
        for storage in getattr(finder, "storages", {}).values():
            prefix = getattr(storage, "prefix", None) or ""
            if prefix and not STATIC_PREFIX.startswith(prefix.rstrip("/") + "/"):
                continue
            location = STATIC_PREFIX[len(prefix) + 1 :] if prefix else STATIC_PREFIX
            if not storage.exists(location.rstrip("/")):
                continue
            for path in get_files(storage, location=location.rstrip("/")):
                name = f"{prefix}/{path}" if prefix else path
                found.setdefault(name.replace("\\", "/"), storage.path(path))
    return found


def _static_version() -> str:
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    if manifest_hash:
        # ManifestStaticFilesStorage (production): a hash of staticfiles.json, whose hashed
        # names already say what every file holds.
        return manifest_hash[:16]
    digest = hashlib.sha256()
    for name, file in sorted(_portal_static_files().items()):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(Path(file).read_bytes()).digest())
    return digest.hexdigest()[:16]


_cached_version = cache(_static_version)


def static_version() -> str:
    """A short digest of the site's static files: it changes when any of them changes.
    Computed once per process, except under DEBUG (``make run``: a file edited while the
    server runs gives a new service worker at the next page)."""
    return _static_version() if settings.DEBUG else _cached_version()


static_version.cache_clear = _cached_version.cache_clear  # type: ignore[attr-defined]


def precache_urls() -> list[str]:
    """The URLs the service worker fetches when it installs: the offline page and the core
    static files (as ``{% static %}`` writes them, hashed names in production)."""
    names = sorted(name for name in _portal_static_files() if PRECACHE.match(name))
    return [OFFLINE_PATH, *(static(name) for name in names)]


@cache
def design_token(name: str) -> str:
    """The light value of a colour token of portal/static/portal/css/tokens.css (the
    manifest cannot read CSS, and must follow the design system)."""
    css = TOKENS.read_text(encoding="utf-8")
    match = re.search(rf"{re.escape(name)}:\s*(?:light-dark\(\s*)?(#[0-9a-fA-F]{{3,8}})", css)
    if not match:
        raise LookupError(name)
    return match.group(1)


def _icon(name: str, size: int, purpose: str) -> dict[str, str]:
    return {
        "src": static(f"portal/brand/{name}-{size}.png"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


def manifest_data() -> dict[str, Any]:
    """The web app manifest, in the language of the request."""
    shortcut_icon = [_icon("icon", 96, "any")]
    return {
        # The app's identity: the browser keys the installed app by it, so it never changes.
        "id": "/",
        "name": "Parvis",
        "short_name": "Parvis",
        "description": _(
            "Parvis — the open square where your organisation and its partners work together."
        ),
        "lang": get_language(),
        "dir": "rtl" if get_language_bidi() else "ltr",
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": design_token("--color-primary"),
        "background_color": design_token("--color-bg"),
        "categories": ["business", "productivity", "social"],
        "icons": [
            {"src": static("portal/brand/mark.svg"), "sizes": "any", "type": "image/svg+xml"},
            *(_icon("icon", size, "any") for size in ICON_SIZES),
            *(_icon("maskable", size, "maskable") for size in MASKABLE_SIZES),
        ],
        "shortcuts": [
            {"name": _("Messages"), "url": reverse("conversations:list"), "icons": shortcut_icon},
            {"name": _("My agenda"), "url": reverse("events:calendar"), "icons": shortcut_icon},
            {"name": _("Reviews"), "url": reverse("documents:my_reviews"), "icons": shortcut_icon},
        ],
    }


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """``/manifest.webmanifest``: the same for everyone (in their language)."""
    response = JsonResponse(
        manifest_data(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``, from the root so that its scope is the whole site. Never kept long in a
    cache: the browser compares it byte for byte to find a new version."""
    config = {
        "version": static_version(),
        "precache": precache_urls(),
        "offline": OFFLINE_PATH,
        "static": request.build_absolute_uri(static(STATIC_PREFIX)),
        "icon": static("portal/brand/icon-192.png"),
        "badge": static("portal/brand/badge-96.png"),
    }
    response = render(
        request,
        "portal/sw.js",
        {"config": json.dumps(config, indent=2, sort_keys=True)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """``/offline/``: what the service worker shows for a page it cannot fetch and has not
    kept. Nothing in it depends on who asks (the service worker keeps it), only on the
    language."""
    response = render(request, "portal/offline.html")
    response["Cache-Control"] = "public, max-age=0"
    return response
