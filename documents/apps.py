from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Community documents, versions and reviews."""

    name = "documents"
    verbose_name = _("Documents")
