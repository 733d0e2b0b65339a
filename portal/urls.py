from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import pwa, styleguide

urlpatterns = [
    # Everybody signs in through allauth (e-mail verification, two-factor, rate limits).
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    # The ESP's inbound and tracking webhooks (signed; replies by e-mail arrive here).
    path("anymail/", include("anymail.urls")),
    # Editorial files from the Wagtail admin; community documents live under /documents/.
    path("editorial-files/", include(wagtaildocs_urls)),
    path("", include("portal.accounts.urls")),
    path("", include("portal.push.urls")),
    path("", include("communities.urls")),
    path("", include("guests.urls")),
    path("", include("documents.urls")),
    path("", include("events.urls")),
    path("", include("conversations.urls")),
    path("", include("integrations.urls")),
    path("api/v1/", include("integrations.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its start-up script from a URL, not inline (the CSP); Swagger UI's
    # page keeps a small inline <style>, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    # Every component in every state (administrators, or DEBUG): docs/design-system.md.
    path("styleguide/", styleguide.styleguide, name="styleguide"),
    # The installable app (portal/pwa.py): from the root, so the service worker's scope is
    # the whole site.
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("offline/", pwa.offline, name="pwa_offline"),
]

if settings.SERVE_MEDIA:
    # Local media folder (the embedded default). With S3, files come from signed URLs.
    # Only Wagtail's editorial images are public; everything else (profile photos, community
    # covers and attachments, documents) goes through a view that checks who asks.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?:original_images|images)/.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]

urlpatterns += [
    # Wagtail serves the editorial pages; it must stay last.
    path("", include(wagtail_urls)),
]
