from __future__ import annotations

from rest_framework import permissions

from integrations.models import ApiToken


class TokenScope(permissions.BasePermission):
    """Signed in; a read-scoped token only reads. What may be read or written in a community
    is then decided by the one policy, through the selectors and services."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.scope == ApiToken.Scope.WRITE
