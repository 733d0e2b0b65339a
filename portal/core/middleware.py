"""Site-wide response rules: the Content-Security-Policy, no admin login loop, no caching of
what a signed-in person sees, and no cache left behind by signing out."""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control

ADMIN_ACCESS = "wagtailadmin.access_admin"


def _is_admin_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(reverse("wagtailadmin_home"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; under the Wagtail admin, ``PORTAL_ADMIN_CSP`` replaces the
    directives it names (Wagtail writes inline scripts and previews pages in a frame).

    Like django-csp's own, it leaves alone a response that already has a policy: the
    private-file responses set a sandbox of their own.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.replace is None and _is_admin_path(request):
            parts.replace = settings.PORTAL_ADMIN_CSP
        return parts


class AdminAccessMiddleware:
    """A signed-in person who may not use the admin gets the "no access" page under
    /admin/. Wagtail would send them to the sign-in page, which sends a signed-in person
    straight back to ``next``: an endless redirect loop."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and _is_admin_path(request) and not user.has_perm(ADMIN_ACCESS):
            raise PermissionDenied  # rendered by templates/403.html
        return self.get_response(request)


# Set on the request by the sign-out (any of them: allauth's view, the admin's, an erasure).
SIGNED_OUT = "_portal_signed_out"


@receiver(user_logged_out, dispatch_uid="portal.core.middleware.signed_out")
def _mark_signed_out(sender: type, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None:
        setattr(request, SIGNED_OUT, True)


class PrivateCacheMiddleware:
    """Every response to a signed-in person says ``Cache-Control: private, no-store``: a
    proxy or a CDN in front of the site never hands one person's page to another, and
    neither the browser nor the service worker (portal/pwa.py) keeps it on the device — a
    phone may be shared. A view that already says ``public`` declares its response the same
    for everyone (the offline page, the manifest) and is left alone.

    The response that signs a person out says ``Clear-Site-Data: "cache"``: the browser
    drops what its HTTP cache holds for the site (the page's script has already emptied the
    service worker's caches, parvis.js)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, SIGNED_OUT, False):
            response["Clear-Site-Data"] = '"cache"'
            patch_cache_control(response, private=True, no_store=True)
        elif request.user.is_authenticated and not _says_public(response):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _says_public(response: HttpResponseBase) -> bool:
    directives = response.get("Cache-Control", "").split(",")
    return "public" in {directive.split("=")[0].strip().lower() for directive in directives}
