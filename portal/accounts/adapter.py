from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import translation


def pending_invitation(request: HttpRequest | None):
    """The invitation this visitor opened (kept in the session by guests.views.accept)."""
    if request is None or not hasattr(request, "session"):
        return None
    from guests.services import SESSION_KEY, invitation_for_token

    invitation = invitation_for_token(request.session.get(SESSION_KEY, ""))
    return invitation if invitation is not None and invitation.state == "pending" else None


def is_internal_address(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return domain in settings.PORTAL_INTERNAL_DOMAINS


class AccountAdapter(DefaultAccountAdapter):
    """allauth, the Parvis way: sign-up only for internal domains, mail in the reader's
    language."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.PORTAL_INTERNAL_DOMAINS) or pending_invitation(request) is not None

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        invitation = pending_invitation(request)
        if invitation is not None:
            # Set before the first save: the general community must never take a guest.
            user.is_external = invitation.for_guest
            user.display_name = invitation.name
            user.organisation = invitation.organisation
        # The visitor read the invitation and the sign-up form in the language they chose
        # (cookie or browser); once signed in the profile decides, so it must start there.
        language = translation.get_language_from_request(request) if request else ""
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        if user is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
