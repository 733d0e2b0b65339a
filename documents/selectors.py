"""Reads of documents, filtered by who asks (404 for what they may not see)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from communities import permissions
from communities.access import Grant
from communities.models import Community, Membership
from documents import permissions as rules
from documents.models import (
    Document,
    DocumentUserObjectPermission,
    DocumentVersion,
    ReviewComment,
    Reviewer,
    ReviewRequest,
)
from documents.permissions import can_read


def library(*, user: Any, community: Community, search: str = "") -> QuerySet[Document]:
    """A community's documents, most recently changed first (the (community, -updated_at)
    index), with their current version and author in the same query; ``search`` keeps those
    whose title or current file name contains it."""
    if not permissions.can(user, permissions.VIEW, community):
        raise Http404
    documents = Document.objects.filter(community=community)
    if search:
        documents = documents.filter(
            Q(title__icontains=search) | Q(current_version__original_name__icontains=search)
        )
    return documents.select_related("current_version", "created_by").order_by("-updated_at", "-id")


def recent_documents(*, user: Any, limit: int = 50) -> list[Document]:
    """The latest documents of every community ``user`` may read."""
    return list(
        Document.objects.filter(
            permissions.permission_q(user, permissions.VIEW), community__archived_at__isnull=True
        )
        .select_related("current_version", "created_by", "community")
        .order_by("-updated_at", "-id")[:limit]
    )


def document_get_for_user(*, user: Any, pk: int) -> Document:
    """The document if ``user`` may read it; Http404 when missing or not."""
    document = (
        Document.objects.select_related("community", "current_version", "created_by")
        .filter(pk=pk)
        .first()
    )
    if document is None or not can_read(user, document):
        raise Http404
    return document


def version_get_for_user(*, user: Any, pk: int) -> DocumentVersion:
    version = DocumentVersion.objects.select_related("document__community").filter(pk=pk).first()
    if version is None or not can_read(user, version.document):
        raise Http404
    return version


def document_panel_flags(*, user: Any, document: Document) -> dict:
    """Sharing on the document page: only its author or a lead shares it; the list of
    people it is shared with is shown to them."""
    can_share = permissions.can(user, rules.SHARE, document)
    return {
        "can_share": can_share,
        "shared_people": shared_with(document=document) if can_share else [],
        "is_shared_reader": not permissions.can(user, permissions.VIEW, document.community),
    }


def shared_with(*, document: Document) -> list[Any]:
    """People the document is explicitly shared with, by name (one query)."""
    return [
        grant.user
        for grant in DocumentUserObjectPermission.objects.filter(
            content_object=document, permission__codename="view_document"
        )
        .select_related("user")
        .order_by("user__display_name", "user_id")
    ]


def shared_documents_for(user: Any) -> list[Grant]:
    """The documents explicitly shared with ``user``, for the access report (one query)."""
    return [
        Grant(
            kind=gettext("Document"),
            title=grant.content_object.title,
            url=reverse("documents:detail", args=[grant.content_object_id]),
            community=grant.content_object.community,
        )
        for grant in DocumentUserObjectPermission.objects.filter(
            user=user.pk, permission__codename="view_document"
        ).select_related("content_object__community")
    ]


# --- Reviews --------------------------------------------------------------------------------


def review_get_for_user(*, user: Any, pk: int) -> ReviewRequest:
    request = (
        ReviewRequest.objects.select_related("document__community", "version").filter(pk=pk).first()
    )
    if request is None or not can_read(user, request.document):
        raise Http404
    return request


@dataclass
class ReviewPanel:
    review: ReviewRequest | None
    reviewers: list[Reviewer]
    comments: list[ReviewComment]
    my_reviewer: Reviewer | None
    can_request: bool
    can_withdraw: bool
    can_comment: bool
    candidates: list[Any]


def review_panel(*, user: Any, document: Document) -> ReviewPanel:
    """What the document page shows of its latest review, for this viewer (a fixed number
    of queries)."""
    review = (
        ReviewRequest.objects.filter(document=document)
        .select_related("version", "requested_by")
        .order_by("-created_at", "-id")
        .first()
    )
    reviewers = (
        list(review.reviewers.select_related("user").order_by("user__display_name"))
        if review
        else []
    )
    comments = (
        list(
            ReviewComment.objects.filter(request__document=document)
            .select_related("author", "version")
            .order_by("version__number", "id")
        )
        if review
        else []
    )
    mine = next((r for r in reviewers if r.user_id == user.pk), None)
    running = review is not None and review.is_running
    if review is not None:
        review.document = document  # already loaded: the rules read its community
        review.reviewer_ids = {r.user_id for r in reviewers}
    can_request = (
        permissions.can(user, rules.REQUEST_REVIEW, document)
        and not running
        and bool(document.current_version and not document.current_version.is_locked)
    )
    candidates = []
    if can_request:
        candidates = [
            m.user
            for m in Membership.objects.filter(
                permissions.active_membership_q(), community=document.community
            )
            .exclude(user=user.pk)
            .select_related("user")
            .order_by("role", "user__display_name")
        ] + [person for person in shared_with(document=document) if person.pk != user.pk]
    can_decide = running and permissions.can(user, rules.DECIDE_REVIEW, review)
    return ReviewPanel(
        review=review,
        reviewers=reviewers,
        comments=comments,
        my_reviewer=mine if can_decide else None,
        can_request=can_request,
        can_withdraw=running and permissions.can(user, rules.WITHDRAW_REVIEW, review),
        can_comment=running and permissions.can(user, rules.COMMENT_REVIEW, review),
        candidates=candidates,
    )


def reviews_awaiting(*, user: Any) -> list[Reviewer]:
    """Reviews waiting for ``user``'s decision, soonest due first."""
    rows = (
        Reviewer.objects.filter(
            user=user.pk,
            decision=Reviewer.Decision.PENDING,
            request__status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
        )
        .select_related("request__document__community", "request__requested_by")
        .order_by("request__due_on", "id")
    )
    return [r for r in rows if can_read(user, r.request.document)]


def reviews_requested_by(*, user: Any) -> list[ReviewRequest]:
    return list(
        ReviewRequest.objects.filter(requested_by=user.pk)
        .select_related("document")
        .order_by("-created_at")[:50]
    )
