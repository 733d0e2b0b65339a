"""Signals only connect apps; the rules stay in services."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from portal.accounts import services


@receiver(user_signed_up)
def _welcome_new_account(sender, request, user, **kwargs) -> None:
    services.welcome_email_enqueue(user=user)
