"""OpenAPI description of the API (drf-spectacular): only /api/v1/, and how it
authenticates."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_our_api(endpoints: list, **kwargs) -> list:
    """Wagtail's admin API is not ours to publish."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (profile → API tokens).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
