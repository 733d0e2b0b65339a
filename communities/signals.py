"""Connect apps: a new internal account joins the general community; mail that arrives
through anymail's inbound webhooks may be a reply to a post."""

from anymail.signals import inbound
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from communities import inbound_mail, permissions, services


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _join_general_community(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and not permissions.is_guest_account(instance):
        services.membership_ensure_general(user=instance)


@receiver(inbound)
def _reply_by_email(sender, event, esp_name: str, **kwargs) -> None:
    inbound_mail.inbound_receive(message=event.message)
