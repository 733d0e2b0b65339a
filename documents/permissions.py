"""Who may do what with documents and their reviews: the documents app's object rules.

They build only on the community policy (``communities.permissions``) and are registered
into it from ``DocumentsConfig.ready()``, so every caller asks one entry point,
``permissions.can(user, documents.permissions.DECIDE_REVIEW, review)`` (or
``user.has_perm(...)``), and the floor never imports this app. A rule says who may act;
whether the review still runs is the service's business (it says so in its message).
"""

from __future__ import annotations

from typing import Any

from communities import permissions

SHARE_PERM = "documents.view_document"  # the explicit grant of one shared document

SHARE = "documents.share_document"  # share with one person outside (and stop sharing)
REQUEST_REVIEW = "documents.request_review"  # on a document
WITHDRAW_REVIEW = "documents.withdraw_review"  # on a review request
COMMENT_REVIEW = "documents.comment_review"  # on a review request
DECIDE_REVIEW = "documents.decide_review"  # approve or ask for changes, on a review request


def can_read(user: Any, document: Any) -> bool:
    """Readers of the community, or the one person the document was explicitly shared with."""
    return permissions.can_view_object(user, document, explicit_perm=SHARE_PERM)


def _moderates(user: Any, document: Any) -> bool:
    return permissions.can(user, permissions.MODERATE, document.community)


def can_share(user: Any, document: Any) -> bool:
    """Its author, or a moderator of its community, shares a document with one person
    outside the community (and stops sharing it)."""
    return permissions.is_signed_in(user) and (
        document.created_by_id == user.pk or _moderates(user, document)
    )


def can_request_review(user: Any, document: Any) -> bool:
    """Its author or a moderator sends a document out for review, while they read it in
    the community (a person it is only shared with reads it, and reviews, nothing more)."""
    return (
        permissions.is_signed_in(user)
        and (document.created_by_id == user.pk or _moderates(user, document))
        and permissions.can(user, permissions.VIEW, document.community)
    )


def can_withdraw_review(user: Any, review: Any) -> bool:
    """The person who asked for the review, or a moderator."""
    return permissions.is_signed_in(user) and (
        review.requested_by_id == user.pk or _moderates(user, review.document)
    )


def reviewer_ids(review: Any) -> set[int]:
    """The ids of the review's reviewers (one query, kept on the review object; a page that
    already loaded the reviewers sets ``review.reviewer_ids`` itself)."""
    ids = getattr(review, "reviewer_ids", None)
    if ids is None:
        ids = set(review.reviewers.values_list("user_id", flat=True))
        review.reviewer_ids = ids
    return ids


def can_comment_review(user: Any, review: Any) -> bool:
    """Reviewers, the requester and moderators discuss the version under review, while
    they can read the document."""
    return (
        permissions.is_signed_in(user)
        and (
            review.requested_by_id == user.pk
            or user.pk in reviewer_ids(review)
            or _moderates(user, review.document)
        )
        and can_read(user, review.document)
    )


def can_decide_review(user: Any, review: Any) -> bool:
    """A reviewer of this request, while they can read the document."""
    return (
        permissions.is_signed_in(user)
        and user.pk in reviewer_ids(review)
        and can_read(user, review.document)
    )


RULES = {
    SHARE: can_share,
    REQUEST_REVIEW: can_request_review,
    WITHDRAW_REVIEW: can_withdraw_review,
    COMMENT_REVIEW: can_comment_review,
    DECIDE_REVIEW: can_decide_review,
}


def register() -> None:
    """Called from ``DocumentsConfig.ready()``."""
    for name, rule in RULES.items():
        permissions.register_rule(name, rule)
