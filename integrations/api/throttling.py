from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from integrations.app_settings import app_settings


class ApiThrottle(SimpleRateThrottle):
    """``INTEGRATIONS_API_RATE`` per person (whatever token they use), or per address when
    not signed in; counted in the Django cache."""

    scope = "api"

    def get_rate(self) -> str:
        return app_settings.API_RATE

    def get_cache_key(self, request, view) -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
