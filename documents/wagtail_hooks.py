from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn

from documents.models import Document
from portal.core.admin_viewsets import (
    COMMUNITIES_MENU_HOOK,
    LinkColumn,
    ListingViewSet,
    PublicPageInspectView,
    SafeIndexView,
)


@hooks.register("register_log_actions")
def register_document_log_actions(actions) -> None:
    actions.register_action(
        "documents.share", _("Documents: share with a person"), _("Document shared")
    )
    actions.register_action(
        "documents.unshare", _("Documents: stop sharing"), _("Document no longer shared")
    )


# --- The admin's Documents screen (in the "Communities" menu): read only, since versions,
# reviews and sharing go through the documents services; each row links to the document.


def document_url(document: Document) -> str:
    return reverse("documents:detail", args=[document.pk])


class DocumentIndexView(SafeIndexView):
    def get_base_queryset(self) -> QuerySet:
        return (
            super().get_base_queryset().select_related("community", "created_by", "current_version")
        )


class DocumentInspectView(PublicPageInspectView):
    public_url = staticmethod(document_url)


def current_version(document: Document) -> str:
    version = document.current_version
    return f"v{version.number} · {version.original_name}" if version else ""


class DocumentViewSet(ListingViewSet):
    model = Document
    name = "documents"
    url_namespace = "admin_documents"
    url_prefix = "community-documents"  # "documents/" is Wagtail's own documents library
    icon = "doc-full"
    menu_label = _("Documents")
    menu_order = 600
    menu_hook = COMMUNITIES_MENU_HOOK
    index_view_class = DocumentIndexView
    inspect_view_class = DocumentInspectView
    search_fields = ("title", "description", "community__name")
    list_filter = ["community"]
    list_display = [
        "title",
        "community",
        Column("version", label=_("Current version"), accessor=current_version),
        "created_by",
        DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
        LinkColumn("page", get_url=document_url, text=_("Document page")),
    ]
    list_export = ["title", "community", "created_by", "created_at", "updated_at"]
    inspect_view_fields = ["title", "community", "description", "created_by", "created_at"]
    ordering = ["-updated_at"]


@hooks.register("register_admin_viewset")
def register_documents_admin():
    return DocumentViewSet()
