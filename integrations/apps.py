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
