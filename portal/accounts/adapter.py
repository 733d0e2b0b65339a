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
    """allauth, the Parvis way: sign-up only for internal domains, mail in the reader's
    language."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.PORTAL_INTERNAL_DOMAINS)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        if user is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
