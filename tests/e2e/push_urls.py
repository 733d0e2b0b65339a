"""The site's URLs, with a bare service worker at /sw.js for tests/e2e/test_push_devices.py:
subscribing needs a registration, and the push side needs nothing else from it (the site's
own worker, which shows pushes, has its own browser tests)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as site_urlpatterns

SERVICE_WORKER = """
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
"""


def service_worker(request: HttpRequest) -> HttpResponse:
    return HttpResponse(SERVICE_WORKER, content_type="text/javascript")


urlpatterns = [path("sw.js", service_worker), *site_urlpatterns]
