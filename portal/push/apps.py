from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    name = "portal.push"
    label = "push"
    verbose_name = _("Push notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.push import signals

        # Sign-out forgets the session's devices; a deactivated account loses them all.
        signals.register()
