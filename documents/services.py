"""Writes on documents. Files are written before the rows and removed again if the rows
cannot be: no orphan file, no half-made version."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Community
from communities.services import activity_record
from documents import app_settings
from documents.files import UploadRefused, clean_filename, content_type_for
from documents.models import Document, DocumentVersion

VERB_ADDED = "document.added"
VERB_VERSION = "document.version_added"
VERB_DELETED = "document.deleted"


def _checked(upload: UploadedFile) -> tuple[str, str, int, str]:
    """(clean name, content type, size, sha256) or ValidationError."""
    name = clean_filename(upload.name or "")
    if upload.size > app_settings.MAX_UPLOAD_BYTES:
        raise ValidationError(_("%(name)s is larger than the limit.") % {"name": name})
    upload.seek(0)
    head = upload.read(2048)
    try:
        content_type = content_type_for(name, head)
    except UploadRefused as exc:
        raise ValidationError(str(exc)) from None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name, content_type, upload.size, digest.hexdigest()


def _store_version(
    *, document: Document, upload: UploadedFile, acting_user: Any, change_note: str
) -> DocumentVersion:
    name, content_type, size, sha256 = _checked(upload)
    version = DocumentVersion(
        document=document,
        number=(document.versions.aggregate(n=Max("number"))["n"] or 0) + 1,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=sha256,
        change_note=change_note.strip()[:500],
        uploaded_by=acting_user,
    )
    version.file.save(name, upload, save=False)
    try:
        version.save()
    except Exception:
        version.file.storage.delete(version.file.name)
        raise
    return version


def document_create(
    *,
    acting_user: Any,
    community: Community,
    upload: UploadedFile,
    title: str = "",
    description: str = "",
) -> Document:
    """Add a document (version 1) to a community's library."""
    if not permissions.can(acting_user, permissions.POST, community):
        raise PermissionDenied("upload")
    stored: list[DocumentVersion] = []
    try:
        with transaction.atomic():
            document = Document.objects.create(
                community=community,
                title=(title.strip() or clean_filename(upload.name or ""))[:200],
                description=description.strip(),
                created_by=acting_user,
            )
            version = _store_version(
                document=document, upload=upload, acting_user=acting_user, change_note=""
            )
            stored.append(version)
            document.current_version = version
            document.save(update_fields=["current_version"])
            activity_record(
                community=community, actor=acting_user, verb=VERB_ADDED, target=document
            )
    except Exception:
        for version in stored:  # the rows were rolled back: the file goes too
            version.file.storage.delete(version.file.name)
        raise
    return document


def version_add(
    *, acting_user: Any, document: Document, upload: UploadedFile, change_note: str = ""
) -> DocumentVersion:
    """A new version; every earlier version is kept."""
    if not permissions.can(acting_user, permissions.POST, document.community):
        raise PermissionDenied("upload")
    stored: list[DocumentVersion] = []
    try:
        with transaction.atomic():
            Document.objects.select_for_update().filter(pk=document.pk).first()
            version = _store_version(
                document=document, upload=upload, acting_user=acting_user, change_note=change_note
            )
            stored.append(version)
            document.current_version = version
            document.updated_at = timezone.now()
            document.save(update_fields=["current_version", "updated_at"])
            activity_record(
                community=document.community, actor=acting_user, verb=VERB_VERSION, target=version
            )
    except Exception:
        for version in stored:
            version.file.storage.delete(version.file.name)
        raise
    return version


@transaction.atomic
def document_delete(*, acting_user: Any, document: Document) -> None:
    if not permissions.can_delete(acting_user, document):
        raise PermissionDenied("delete document")
    if document.versions.filter(is_locked=True).exists():
        raise ValidationError(_("An approved version is locked: this document cannot be deleted."))
    files = [v.file.name for v in document.versions.all()]
    storage = DocumentVersion._meta.get_field("file").storage
    activity_record(community=document.community, actor=acting_user, verb=VERB_DELETED)
    document.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])
