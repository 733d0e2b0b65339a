from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_document_log_actions(actions) -> None:
    actions.register_action(
        "documents.share", _("Documents: share with a person"), _("Document shared")
    )
    actions.register_action(
        "documents.unshare", _("Documents: stop sharing"), _("Document no longer shared")
    )
