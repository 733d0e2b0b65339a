"""allauth, the Parvis way: sign-up only for internal domains, mail in the reader's language.

Sign-up through an invitation is the guests app's (``guests/adapter.py`` extends this adapter
and ``settings.ACCOUNT_ADAPTER`` names it), so accounts knows nothing of invitations.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import translation


def is_internal_address(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return domain in settings.PORTAL_INTERNAL_DOMAINS


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up open to the internal domains; mail in the reader's language."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.PORTAL_INTERNAL_DOMAINS)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        # The visitor read the sign-up form (and, for an invitee, the invitation) in the
        # language they chose (cookie or browser); once signed in the profile decides, so it
        # must start there.
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
