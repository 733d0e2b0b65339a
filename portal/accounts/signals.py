"""Signals only connect apps; the rules stay in services."""

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.accounts import services


@receiver(email_confirmed)
def _welcome_confirmed_account(sender, request, email_address, **kwargs) -> None:
    # Welcome people once their own address is proven, never an unverified one.
    if email_address.primary:
        services.welcome_email_enqueue(user=email_address.user)


@receiver(user_logged_in)
def _seen_at_sign_in(sender, request, user, **kwargs) -> None:
    # Signing in is being on the site; the middleware then writes at most every few minutes.
    services.user_mark_seen(user=user)
