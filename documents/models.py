"""Community document libraries: documents and every version of them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community


def version_storage_key(instance: DocumentVersion, filename: str) -> str:
    """A random storage key: the person's file name is kept as metadata only, so nobody can
    guess a key or steer where a file lands."""
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}"


class Document(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    current_version = models.ForeignKey(
        "documents.DocumentVersion", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["community", "-updated_at"], name="document_library")]

    def __str__(self) -> str:
        return self.title

    @property
    def author_id(self) -> int | None:
        """The policy's authorship rules read ``author_id``."""
        return self.created_by_id


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_storage_key, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    change_note = models.CharField(_("change note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # An approved version is locked: it cannot be replaced or deleted.
    is_locked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"
