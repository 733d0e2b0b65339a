from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The core: its label stays ``portal`` (the label its table and migrations were made
    under), while the site that composes everything is the app ``portal_site``."""

    name = "portal.core"
    label = "portal"
    verbose_name = "Parvis"

    def ready(self) -> None:
        # The sign-out's receiver (Clear-Site-Data), connected even before the first request.
        from portal.core import middleware  # noqa: F401
