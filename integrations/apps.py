from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Other tools' flows into the communities: incoming webhooks, RSS/Atom feeds and a REST
    API with personal tokens. It stands on communities, documents and events (it calls their
    selectors and services); none of them imports it."""

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from communities.extensions import register_post_hook
        from integrations.api import schema  # noqa: F401 (OpenAPI authentication schemes)
        from integrations.selectors import annotate_via

        # Feeds show "via <integration>" on the posts an integration wrote.
        register_post_hook(annotate_via)

        from integrations import privacy
        from portal.accounts.privacy import register

        register(privacy.contribution)

        from django.core import checks

        checks.register(check_feed_proxy)


def check_feed_proxy(**kwargs) -> list:
    """A mistyped proxy fails at start-up, not as a failure of every feed."""
    from django.core import checks

    from integrations.app_settings import app_settings
    from integrations.fetch import Proxy

    if not app_settings.FEED_PROXY:
        return []
    try:
        Proxy.parse(app_settings.FEED_PROXY)
    except ValueError as exc:
        return [checks.Error(str(exc), id="integrations.E001")]
    return []
