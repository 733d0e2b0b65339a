from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "portal.pages"
    label = "pages"
    verbose_name = _("Editorial pages")

    def ready(self) -> None:
        from communities.digests import register_section_provider, register_top_post_filter
        from communities.extensions import register_post_hook
        from portal.pages.selectors import annotate_announced, digest_pages, exclude_announced

        register_post_hook(annotate_announced)  # feeds label a page pushed by the editors
        register_section_provider(digest_pages)  # and the next digest lists it
        register_top_post_filter(exclude_announced)  # once, not again among the top posts
