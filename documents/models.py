"""Community document libraries: documents and every version of them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from communities.models import Community


def version_storage_key(instance: DocumentVersion, filename: str) -> str:
    """A random storage key: the person's file name is kept as metadata only, so nobody can
    guess a key or steer where a file lands."""
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}"


class Document(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="documents", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
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


class ReviewRequest(models.Model):
    """A document sent out for review on one version. A new version during the review moves
    the request to it and restarts the decisions; earlier comments stay on their version."""

    class Status(models.TextChoices):
        OPEN = "open", _("In review")
        CHANGES = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        constraints = [
            # One running review per document at a time.
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(status__in=["open", "changes_requested"]),
                name="one_running_review_per_document",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.document_id} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.CHANGES)


class Reviewer(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        CHANGES = "changes_requested", _("Changes requested")

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="one_reviewer_row")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.request_id}: {self.decision}"


class ReviewComment(models.Model):
    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"), max_length=5000)
    page = models.PositiveIntegerField(_("page"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Comment {self.pk} on v{self.version_id}"


class ReviewEvent(models.Model):
    """The approval trail, append-only: who did what on which version, when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("review requested")
        APPROVED = "approved", _("approved")
        CHANGES = "changes_requested", _("requested changes")
        NEW_VERSION = "new_version", _("new version, decisions restarted")
        WITHDRAWN = "withdrawn", _("review withdrawn")
        COMPLETED = "completed", _("approved by every reviewer; version locked")
        REVIEWER_LEFT = "reviewer_left", _("no longer a reviewer: their access ended")

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request_id}"


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's explicit grants on one document (direct foreign key): a document
    shared with one person outside its community."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)
