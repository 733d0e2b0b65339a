"""Site-wide response rules: the Content-Security-Policy, no admin login loop, and no
shared caching of what a signed-in person sees."""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import PermissionDenied
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


class PrivateCacheMiddleware:
    """Every response to a signed-in person says ``Cache-Control: private``: a proxy or a
    CDN in front of the site must never hand one person's page to another."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
