"""``Authorization: Bearer <token>`` with a personal access token.

The token acts as its owner at the moment of each request: a deactivated account, or a
guest left with no community and no shared document (removed, expired), is refused with
401 at once — the nightly tidy-up is not waited for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from communities import permissions
from communities.access import has_explicit_access
from integrations import selectors, services
from portal.core.tokens import token_hash


def has_any_access(user: Any) -> bool:
    if not user.is_active:
        return False
    if not permissions.is_guest(user):
        return True
    return bool(permissions.active_roles(user)) or has_explicit_access(user)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: another class (the session) may answer
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send one token after Bearer."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        api_token = selectors.api_token_by_value(token_hash=token_hash(token))
        if api_token is None or not has_any_access(api_token.user):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        services.api_token_touch(api_token=api_token)
        return api_token.user, api_token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser (the API documentation's "try it out"), CSRF-checked on writes;
    the same rule as tokens for guests left with nothing."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not has_any_access(result[0]):
            return None
        return result
