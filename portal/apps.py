from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site that composes every app: admin reports, the demo, ``seed_demo``."""

    name = "portal"
    label = "portal_site"
    verbose_name = "Parvis site"
