"""'Publish to community' on a scoped page's header in the admin, and its audit label."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from communities import permissions
from portal.pages import admin_views


@hooks.register("register_admin_urls")
def register_publish_to_community_url():
    return [
        path(
            "pages/<int:page_id>/publish-to-community/",
            admin_views.publish_to_community,
            name="publish_to_community",
        )
    ]


class PublishToCommunityButton(PageMenuItem):
    label = _("Publish to community")
    icon_name = "group"
    url_name = "publish_to_community"
    priority = 62

    def is_shown(self, user) -> bool:
        return self.page.live and permissions.can_publish_to_community(user, self.page)


@hooks.register("register_page_header_buttons")
def page_header_buttons(page, user, view_name, next_url=None):
    if getattr(page, "community_id", None) is not None:  # the specific page, on its header
        yield PublishToCommunityButton(page=page)


@hooks.register("register_log_actions")
def register_page_log_actions(actions) -> None:
    actions.register_action(
        "pages.publish_to_community",
        _("Pages: publish to community"),
        _("Page published to its community"),
    )
