from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site that composes every app: the home dashboard, admin reports, the demo,
    ``seed_demo``."""

    name = "portal"
    label = "portal_site"
    verbose_name = "Parvis site"

    def ready(self) -> None:
        from portal.home import dashboard_for
        from portal.pages.dashboard import register_dashboard

        register_dashboard(dashboard_for)  # the home page's "my communities, events, reviews"
