"""The adoption report in the Wagtail admin's Reports menu (administrators only)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from communities import permissions
from portal import admin_views


@hooks.register("register_admin_urls")
def register_adoption_url():
    return [path("adoption/", admin_views.adoption_report, name="adoption_report")]


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.is_administrator(request.user)


@hooks.register("register_reports_menu_item")
def register_adoption_menu_item():
    return AdministratorMenuItem(
        _("Adoption"), reverse("adoption_report"), name="adoption", icon_name="view", order=50
    )
