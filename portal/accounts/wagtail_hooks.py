"""Personal data in the Wagtail admin (administrators only): the screen of one person, a
"Personal data" button on each user of the admin's user list, and the audit log actions."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from portal.accounts import admin_views
from portal.core import principals

PRIVACY_ACTIONS = {
    "accounts.export": (_("Personal data: export"), _("Personal data downloaded")),
    "accounts.erase": (_("Personal data: erase"), _("Account erased")),
}


ACCOUNT_ACTIONS = {
    "accounts.administrator": (
        _("Administrator made ready to sign in"),
        _("Administrator made ready to sign in (manage.py create_administrator)"),
    ),
}


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions) -> None:
    for action, (label, message) in {**PRIVACY_ACTIONS, **ACCOUNT_ACTIONS}.items():
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [
        path("people/<int:pk>/data/", admin_views.person_privacy, name="accounts_admin_privacy"),
        path(
            "people/<int:pk>/data/export/",
            admin_views.person_privacy_export,
            name="accounts_admin_privacy_export",
        ),
        path(
            "people/<int:pk>/data/erase/",
            admin_views.person_privacy_erase,
            name="accounts_admin_privacy_erase",
        ),
    ]


@hooks.register("register_user_listing_buttons")
def privacy_listing_button(user, request_user):
    if principals.is_administrator(request_user):
        yield Button(
            _("Personal data"),
            reverse("accounts_admin_privacy", args=[user.pk]),
            icon_name="download",
            priority=90,
        )
