"""Writes on documents. Files are written before the rows and removed again if the rows
cannot be: no orphan file, no half-made version."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities import permissions
from communities.models import Community
from communities.notifications import notify
from communities.services import activity_record
from documents import permissions as rules
from documents.app_settings import app_settings
from documents.models import (
    Document,
    DocumentVersion,
    ReviewComment,
    Reviewer,
    ReviewEvent,
    ReviewRequest,
)
from documents.permissions import SHARE_PERM, can_read
from portal.core.files import UploadRefused, clean_filename, content_type_for
from portal.core.tasks import send_templated_email_on_commit

logger = logging.getLogger(__name__)

# What a storage backend raises when it cannot take the file: a full or read-only disk, an
# object store that does not answer or refuses.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

VERB_ADDED = "document.added"
VERB_VERSION = "document.version_added"
VERB_DELETED = "document.deleted"
VERB_REVIEW_REQUESTED = "document.review_requested"
NOTIFICATION_REVIEW_REQUESTED = "review.requested"
NOTIFICATION_REVIEW_DECIDED = "review.decided"

# What documents write to the floor's activity stream and notifications, with their labels
# (registered in DocumentsConfig.ready: the floor does not list them).
VERBS = {
    VERB_ADDED: gettext_lazy("added a document"),
    VERB_VERSION: gettext_lazy("added a version of a document"),
    VERB_DELETED: gettext_lazy("deleted a document"),
    VERB_REVIEW_REQUESTED: gettext_lazy("asked for a review"),
}
NOTIFICATION_KINDS = {
    NOTIFICATION_REVIEW_REQUESTED: gettext_lazy("asks for your review"),
    NOTIFICATION_REVIEW_DECIDED: gettext_lazy("decided on your review request"),
}
# The row of the person's channel choices each kind follows (communities.notifications.TOPICS).
NOTIFICATION_TOPICS = {
    NOTIFICATION_REVIEW_REQUESTED: "review.request",
    NOTIFICATION_REVIEW_DECIDED: "review.decision",
}


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
    try:
        version.file.save(name, upload, save=False)
    except STORAGE_ERRORS as exc:
        logger.exception("document storage unavailable")
        raise ValidationError(
            _("The file store is not answering, so nothing was saved. Please try again later.")
        ) from exc
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
            _restart_running_review(document, version, acting_user)
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
    if document.reviews.filter(
        status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES]
    ).exists():
        raise ValidationError(_("This document is under review: withdraw the review first."))
    files = [v.file.name for v in document.versions.all()]
    storage = DocumentVersion._meta.get_field("file").storage
    activity_record(community=document.community, actor=acting_user, verb=VERB_DELETED)
    document.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


# --- Reviews --------------------------------------------------------------------------------


def _event(request: ReviewRequest, actor: Any, kind: str, comment: str = "") -> None:
    ReviewEvent.objects.create(
        request=request, version=request.version, actor=actor, kind=kind, comment=comment
    )


@transaction.atomic
def review_request_create(
    *,
    acting_user: Any,
    document: Document,
    reviewers: Iterable[Any],
    due_on: datetime.date,
    message: str = "",
) -> ReviewRequest:
    """Send the current version out for review. Reviewers must be able to read the document;
    the author or a lead asks; one review runs at a time."""
    if not permissions.can(acting_user, rules.REQUEST_REVIEW, document):
        raise PermissionDenied("request review")
    reviewers = list({r.pk: r for r in reviewers}.values())
    if not reviewers:
        raise ValidationError(_("Choose at least one reviewer."))
    for person in reviewers:
        if not can_read(person, document):
            raise ValidationError(_("%(name)s cannot read this document.") % {"name": person.name})
    if due_on < timezone.localdate():
        raise ValidationError(_("The due date is in the past."))
    if ReviewRequest.objects.filter(
        document=document, status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES]
    ).exists():
        raise ValidationError(_("A review is already running for this document."))
    if document.current_version is None or document.current_version.is_locked:
        raise ValidationError(_("Add a new version before asking for another review."))
    request = ReviewRequest.objects.create(
        document=document,
        version=document.current_version,
        requested_by=acting_user,
        message=message.strip(),
        due_on=due_on,
    )
    Reviewer.objects.bulk_create([Reviewer(request=request, user=person) for person in reviewers])
    _event(request, acting_user, ReviewEvent.Kind.REQUESTED, request.message)
    activity_record(
        community=document.community, actor=acting_user, verb=VERB_REVIEW_REQUESTED, target=request
    )
    # Readers of the community, and the people it was shared with (whose notice does not
    # depend on the community, which they cannot read).
    for in_community in (True, False):
        notify(
            users=[
                p
                for p in reviewers
                if permissions.can(p, permissions.VIEW, document.community) == in_community
            ],
            kind=NOTIFICATION_REVIEW_REQUESTED,
            actor=acting_user,
            community=document.community if in_community else None,
            title=document.title,
            url=reverse("documents:detail", args=[document.pk]),
        )
    # Each reviewer is told by the channel they chose for "a review request"; those told by
    # e-mail get documents/email/review_requested (review_requested_email).
    return request


def review_requested_email(notification: Any) -> tuple[str, dict[str, Any]] | None:
    """The e-mail of a review request notification (registered with the floor in
    ``DocumentsConfig.ready``): the running review of the document its link opens, or
    nothing when that review is over."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(notification.url)
    except Resolver404:
        return None
    if match.view_name != "documents:detail":
        return None
    request = (
        ReviewRequest.objects.filter(
            document=match.kwargs.get("pk"),
            status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
        )
        .select_related("document", "requested_by")
        .first()
    )
    if request is None:
        return None
    return "documents/email/review_requested", {
        "requester_name": request.requested_by.name if request.requested_by else "",
        "document_title": request.document.title,
        "due_on": request.due_on.isoformat(),
        "message": request.message,
        "document_url": notification.url,
    }


def _running(request: ReviewRequest) -> ReviewRequest:
    request = ReviewRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_running:
        raise ValidationError(_("This review is closed."))
    return request


@transaction.atomic
def review_decide(
    *, acting_user: Any, request: ReviewRequest, approve: bool, comment: str = ""
) -> ReviewRequest:
    """A reviewer approves or requests changes on the version under review. When every
    reviewer approved it, the version is locked and the review closes."""
    request = _running(request)
    if not permissions.can(acting_user, rules.DECIDE_REVIEW, request):
        raise PermissionDenied("not a reviewer")
    reviewer = Reviewer.objects.get(request=request, user=acting_user.pk)
    if not approve and not comment.strip():
        raise ValidationError(_("Say what should change."))
    reviewer.decision = Reviewer.Decision.APPROVED if approve else Reviewer.Decision.CHANGES
    reviewer.decided_at = timezone.now()
    reviewer.save(update_fields=["decision", "decided_at"])
    if comment.strip():
        ReviewComment.objects.create(
            request=request, version=request.version, author=acting_user, body=comment.strip()
        )
    _event(
        request,
        acting_user,
        ReviewEvent.Kind.APPROVED if approve else ReviewEvent.Kind.CHANGES,
        comment.strip(),
    )
    _settle(request)
    notify(
        users=[request.requested_by] if request.requested_by else [],
        kind=NOTIFICATION_REVIEW_DECIDED,
        actor=acting_user,
        community=request.document.community,
        title=request.document.title,
        url=reverse("documents:detail", args=[request.document_id]),
    )
    return request


def _settle(request: ReviewRequest) -> None:
    """The request's status from its reviewers' decisions: complete (the version locked)
    once every reviewer approved; withdrawn when no reviewer is left to decide."""
    decisions = set(request.reviewers.values_list("decision", flat=True))
    if not decisions:
        request.status = ReviewRequest.Status.WITHDRAWN
        request.closed_at = timezone.now()
        _event(request, None, ReviewEvent.Kind.WITHDRAWN)
    elif Reviewer.Decision.CHANGES in decisions:
        request.status = ReviewRequest.Status.CHANGES
    elif decisions == {Reviewer.Decision.APPROVED}:
        request.status = ReviewRequest.Status.APPROVED
        request.closed_at = timezone.now()
        DocumentVersion.objects.filter(pk=request.version_id).update(is_locked=True)
        _event(request, None, ReviewEvent.Kind.COMPLETED)
    else:
        request.status = ReviewRequest.Status.OPEN
    request.save(update_fields=["status", "closed_at"])


@transaction.atomic
def reviewer_withdraw(*, user: Any, community: Community | None = None) -> int:
    """Take ``user`` off every running review (in ``community``, or anywhere) of a document
    they can no longer read and that still waits for their decision, so that the review can
    complete without them: the trail says so, and the request settles on the remaining
    decisions (withdrawn when nobody is left). A decision they already gave stays: it is in
    the trail and still counts. Called when a membership ends (leave, removal, end of
    access, erasure). Returns how many reviews they were taken off."""
    rows = Reviewer.objects.filter(
        user=user.pk,
        decision=Reviewer.Decision.PENDING,
        request__status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
    ).select_related("request__document__community")
    if community is not None:
        rows = rows.filter(request__document__community=community)
    count = 0
    for reviewer in rows:
        if can_read(user, reviewer.request.document):
            continue  # still a reader (another way in: an explicit share)
        request = _running(reviewer.request)
        reviewer.delete()
        _event(request, user, ReviewEvent.Kind.REVIEWER_LEFT)
        _settle(request)
        count += 1
    return count


def on_membership_ended(ended: Any) -> None:
    """The floor's membership-ended hook (registered in ``DocumentsConfig.ready``)."""
    membership = ended.membership
    reviewer_withdraw(user=membership.user, community=membership.community)


@transaction.atomic
def review_comment(
    *,
    acting_user: Any,
    request: ReviewRequest,
    body: str,
    page: int | None = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    """Reviewers, the requester and leads discuss the version under review."""
    if not permissions.can(acting_user, rules.COMMENT_REVIEW, request):
        raise PermissionDenied("comment review")
    request = _running(request)
    if not body.strip():
        raise ValidationError(_("Write something first."))
    if parent is not None and parent.request_id != request.pk:
        raise ValidationError(_("This reply belongs to another review."))
    return ReviewComment.objects.create(
        request=request,
        version=request.version,
        author=acting_user,
        body=body.strip()[:5000],
        page=page,
        parent=(parent.parent or parent) if parent else None,
    )


@transaction.atomic
def review_withdraw(*, acting_user: Any, request: ReviewRequest) -> ReviewRequest:
    if not permissions.can(acting_user, rules.WITHDRAW_REVIEW, request):
        raise PermissionDenied("withdraw")
    request = _running(request)
    request.status = ReviewRequest.Status.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    _event(request, acting_user, ReviewEvent.Kind.WITHDRAWN)
    return request


def _restart_running_review(document: Document, version: DocumentVersion, actor: Any) -> None:
    """A new version during a review: decisions restart on it; comments stay on theirs."""
    request = (
        ReviewRequest.objects.select_for_update()
        .filter(
            document=document, status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES]
        )
        .first()
    )
    if request is None:
        return
    request.version = version
    request.status = ReviewRequest.Status.OPEN
    request.save(update_fields=["version", "status"])
    request.reviewers.update(decision=Reviewer.Decision.PENDING, decided_at=None, reminded_at=None)
    _event(request, actor, ReviewEvent.Kind.NEW_VERSION)
    # A reviewer whose access ended kept her decision on the old version; she cannot give
    # one on the new version, so she is taken off now (the request may settle on the rest).
    for reviewer in request.reviewers.select_related("user"):
        if not can_read(reviewer.user, document):
            reviewer.delete()
            _event(request, reviewer.user, ReviewEvent.Kind.REVIEWER_LEFT)
    if not request.reviewers.exists():
        _settle(request)


def reviews_remind() -> int:
    """Daily: reviewers who have not decided hear once, a few days before the due date
    (and at once if the review is already late)."""
    horizon = timezone.localdate() + datetime.timedelta(days=app_settings.REMINDER_DAYS)
    due = Reviewer.objects.filter(
        decision=Reviewer.Decision.PENDING,
        reminded_at__isnull=True,
        request__status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
        request__due_on__lte=horizon,
    ).select_related("request__document")
    count = 0
    for reviewer in due:
        document = reviewer.request.document
        send_templated_email_on_commit(
            "documents/email/review_reminder",
            user_ids=[reviewer.user_id],
            context={
                "document_title": document.title,
                "due_on": reviewer.request.due_on.isoformat(),
                "document_url": reverse("documents:detail", args=[document.pk]),
            },
        )
        reviewer.reminded_at = timezone.now()
        reviewer.save(update_fields=["reminded_at"])
        count += 1
    return count


def _require_sharer(acting_user: Any, document: Document) -> None:
    if not permissions.can(acting_user, rules.SHARE, document):
        raise PermissionDenied("share")


def document_share_with_address(*, acting_user: Any, document: Document, email: str) -> Any:
    """Share with the active account that has this e-mail address (in any case); returns
    that person. Nobody outside yet must be invited as a guest first."""
    from django.contrib.auth import get_user_model

    _require_sharer(acting_user, document)
    email = email.strip()
    person = (
        get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if email
        else None
    )
    if person is None:
        raise ValidationError(_("No account has this address: invite the person as a guest first."))
    document_share(acting_user=acting_user, document=document, user=person)
    return person


@transaction.atomic
def document_share(*, acting_user: Any, document: Document, user: Any) -> None:
    """Let one person outside the community read this document (and review it), nothing
    else: an explicit django-guardian grant, written to the audit log."""
    from guardian.shortcuts import assign_perm
    from wagtail.log_actions import log

    _require_sharer(acting_user, document)
    if permissions.can(user, permissions.VIEW, document.community):
        raise ValidationError(
            _("%(name)s can already read it in the community.") % {"name": user.name}
        )
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    assign_perm(SHARE_PERM, user, document)
    log(instance=document, action="documents.share", user=acting_user, data={"with": user.pk})
    send_templated_email_on_commit(
        "documents/email/shared",
        user_ids=[user.pk],
        context={
            "sharer_name": acting_user.name,
            "document_title": document.title,
            "community_name": document.community.name,
            "document_url": reverse("documents:detail", args=[document.pk]),
        },
    )


@transaction.atomic
def document_unshare(*, acting_user: Any, document: Document, user: Any) -> None:
    from guardian.shortcuts import remove_perm
    from wagtail.log_actions import log

    _require_sharer(acting_user, document)
    remove_perm(SHARE_PERM, user, document)
    log(instance=document, action="documents.unshare", user=acting_user, data={"with": user.pk})
