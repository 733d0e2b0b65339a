"""Administrators follow digest delivery in the Wagtail admin: every digest with its status,
attempts and last error; a failed one can be set back to pending, and the next beat tick
sends it."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from communities.models import DigestOutbox


class DigestOutboxViewSet(ModelViewSet):
    model = DigestOutbox
    name = "digests"
    icon = "mail"
    menu_label = _("Digests")
    menu_order = 800
    add_to_admin_menu = True
    list_display = ["user", "period", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "period"]
    ordering = ["-id"]
    form_fields = ["status"]  # set a failed digest back to pending to send it again
    inspect_view_enabled = True
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_digest_viewset():
    return DigestOutboxViewSet()
