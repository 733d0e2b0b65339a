from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself: templates tags, management commands, e-mail templates."""

    name = "portal"
    verbose_name = "Parvis"
